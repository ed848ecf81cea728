package io.sdfleet.gateway.ops;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.gateway.GatewayApplication;
import io.sdfleet.gateway.a1111.A1111Field;
import io.sdfleet.gateway.a1111.A1111Fields;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway on the machine's RabbitMQ (else an embedded broker): trace ids in and out, on the request message,
 * its meters (also from a worker's heartbeat) on /actuator/prometheus, health probes, and the OpenAPI description.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {GatewayApplication.CONFIG_NAME, TestInternalToken.PROPERTY})
class GatewayOperationsTest {

    private static final String PREFIX = "test-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final Messaging.Names NAMES = new Messaging.Names(PREFIX);
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static TestDatabase database;
    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();
    private static Connection connection;
    private static Channel channel;

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void connect() throws Exception {
        connection = BROKER.connect();
        channel = connection.createChannel();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        channel.queueDelete(NAMES.requestsQueue());
        channel.exchangeDelete(NAMES.eventsExchange());
        channel.exchangeDelete(NAMES.heartbeatsExchange());
        connection.close();
        if (database != null) {
            database.close();
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        Path reference = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
        registry.add("sdfleet.messaging.prefix", () -> PREFIX);
        registry.add("spring.rabbitmq.host", BROKER::host);
        registry.add("spring.rabbitmq.port", BROKER::port);
        registry.add("sdfleet.gateway.models-dir", reference::toString);
        registry.add("sdfleet.gateway.default-model", () -> "mini_sd15_fp32.safetensors");
        try {
            database = TestDatabase.create();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        registry.add("spring.datasource.url", database::url);
        registry.add("spring.datasource.username", database::user);
        registry.add("spring.datasource.password", database::password);
        registry.add("sdfleet.gateway.auth.enabled", () -> "false"); // operations are tested here, not sign-in
    }

    @Test
    void theCallersRequestIdIsReturnedAndTravelsOnTheRequestMessage() throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri("/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "alice")
                .header("X-Request-Id", "req-gw-42")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a fox\", \"steps\": 2, \"width\": 64, \"height\": 64}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("X-Request-Id")).contains("req-gw-42");
        String id = JSON.readTree(accepted.body()).get("id").asString();

        GetResponse message = null;
        for (int i = 0; i < 50 && message == null; i++) {
            message = channel.basicGet(NAMES.requestsQueue(), true);
            if (message == null) {
                Thread.sleep(100);
            }
        }
        assertThat(message).as("request message").isNotNull();
        assertThat(new String(message.getBody())).contains(id);
        assertThat(message.getProps().getHeaders().get(Messaging.TRACE_HEADER).toString()).isEqualTo("req-gw-42");
    }

    @Test
    void aTraceparentsTraceIdIsUsedAndOtherwiseOneIsMade() throws Exception {
        HttpResponse<String> w3c = http.send(HttpRequest.newBuilder(uri("/api/v1/generations/nope"))
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(w3c.statusCode()).isEqualTo(404);
        assertThat(w3c.headers().firstValue("X-Request-Id")).contains("4bf92f3577b34da6a3ce929d0e0e4736");

        HttpResponse<String> made = http.send(HttpRequest.newBuilder(uri("/api/v1/generations/nope")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(made.headers().firstValue("X-Request-Id").orElseThrow()).matches("[0-9a-f]{32}");
    }

    @Test
    void prometheusListsTheGatewaysMetersIncludingWorkersMemoryFromHeartbeats() throws Exception {
        WorkerHeartbeat beat = new WorkerHeartbeat("w-ops-1", "gpu(0)", 24_000_000_000L, 20_000_000_000L,
                6_000_000_000L, List.of("mini"), "job-1", Instant.now());
        channel.basicPublish(NAMES.heartbeatsExchange(), "", new AMQP.BasicProperties.Builder()
                .contentType("application/json").build(), JSON.writeValueAsBytes(beat));

        String metrics = "";
        for (int i = 0; i < 50 && !metrics.contains("w-ops-1"); i++) {
            Thread.sleep(100);
            metrics = get("/actuator/prometheus").body();
        }
        assertThat(metrics).contains(
                "sdfleet_fleet_worker_memory_used_bytes{application=\"gateway-service\",device=\"gpu(0)\",worker=\"w-ops-1\"} 4.0E9",
                "sdfleet_fleet_worker_memory_peak_bytes{application=\"gateway-service\",device=\"gpu(0)\",worker=\"w-ops-1\"} 6.0E9",
                "sdfleet_fleet_worker_memory_total_bytes{",
                "sdfleet_fleet_worker_busy{application=\"gateway-service\",device=\"gpu(0)\",worker=\"w-ops-1\"} 1.0",
                "sdfleet_fleet_workers_live{application=\"gateway-service\"} 1.0",
                "sdfleet_gateway_generations_accepted_total",
                "sdfleet_gateway_jobs_failed_total");
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/liveness").statusCode()).isEqualTo(200);
    }

    @Test
    void apiDocsDescribeTheNativeGenerationsApi() throws Exception {
        HttpResponse<String> docs = get("/v3/api-docs");
        assertThat(docs.statusCode()).as(docs.body()).isEqualTo(200);
        JsonNode api = JSON.readTree(docs.body());
        JsonNode paths = api.get("paths");
        assertThat(paths.has("/api/v1/generations")).as(docs.body()).isTrue();
        assertThat(paths.has("/api/v1/generations/{id}")).isTrue();
        assertThat(paths.has("/api/v1/generations/{id}/events")).isTrue();
        assertThat(paths.has("/api/v1/generations/{id}/images/{index}")).isTrue();
        assertThat(paths.has("/sdapi/v1/txt2img")).as("only the native API").isFalse();
        JsonNode post = paths.get("/api/v1/generations").get("post");
        assertThat(post.get("requestBody").get("content").get("application/json").get("schema").get("$ref").asString())
                .isEqualTo("#/components/schemas/GenerationRequest");
        assertThat(post.get("responses").get("202").get("content").get("application/json").get("schema").get("$ref")
                .asString()).isEqualTo("#/components/schemas/GenerationAccepted");
        assertThat(post.get("responses").get("400").get("content").has("application/problem+json")).isTrue();
        assertThat(paths.get("/api/v1/generations/{id}").get("get").get("responses").get("200").toString())
                .contains("GenerationStatus");
        JsonNode schemas = api.get("components").get("schemas");
        assertThat(schemas.get("GenerationRequest").get("properties").has("prompt")).isTrue();
        JsonNode request = schemas.get("GenerationRequest").get("properties");
        for (A1111Field field : A1111Fields.ALL) {
            assertThat(request.has(field.name())).as("the docs describe " + field.name()).isTrue();
        }
        assertThat(request.get("steps").get("default").asInt()).isEqualTo(50);
        assertThat(request.get("restore_faces").get("description").asString()).contains("face_restoration_model");
        assertThat(request.get("script_name").get("description").asString()).contains("Not supported yet");
        assertThat(request.get("refiner_checkpoint").get("description").asString()).doesNotContain("Not supported yet");
        assertThat(schemas.get("Problem").get("properties").has("errors")).isTrue();

        HttpResponse<String> ui = http.send(HttpRequest.newBuilder(uri("/swagger-ui.html")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).isIn(200, 302);
    }

    /** Was: a query or path parameter of the wrong type answered 500 (issue 14). */
    @Test
    void parametersOfTheWrongTypeAre400sNamingThem() throws Exception {
        for (String[] call : new String[][] {{"/api/v1/generations?limit=abc", "limit"},
                {"/api/v1/generations/" + UUID.randomUUID() + "/images/abc", "index"},
                {"/sdapi/v1/progress?skip_current_image=maybe", "skip_current_image"}}) {
            HttpResponse<String> r = get(call[0]);
            assertThat(r.statusCode()).as(call[0] + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(r.body()).contains(call[1]);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}

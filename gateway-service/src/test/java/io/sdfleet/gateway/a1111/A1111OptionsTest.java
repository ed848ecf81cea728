package io.sdfleet.gateway.a1111;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.gateway.GatewayApplication;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's options per user on a real gateway (PostgreSQL, the broker): what alice saves is hers alone, becomes the
 * default of her later requests (override_settings still wins), and bob never sees it; and with no worker to make
 * them, A1111's synchronous endpoints answer 503 at once instead of holding the call (sync timeout: 504).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {GatewayApplication.CONFIG_NAME, TestInternalToken.PROPERTY,
                "sdfleet.gateway.worker-grace-seconds=0", "sdfleet.gateway.sync-timeout-seconds=2"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class A1111OptionsTest {

    private static final String PREFIX = "test-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final Messaging.Names NAMES = new Messaging.Names(PREFIX);
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();
    private static final Path REFERENCE = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
    private static TestDatabase database;
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
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        Path models = Files.createTempDirectory("sdfleet-a1111-options");
        for (String name : List.of("alpha.safetensors", "beta.safetensors")) {
            Files.createSymbolicLink(models.resolve(name), REFERENCE.resolve("mini_sd15_fp32.safetensors").toAbsolutePath());
        }
        registry.add("sdfleet.messaging.prefix", () -> PREFIX);
        registry.add("spring.rabbitmq.host", BROKER::host);
        registry.add("spring.rabbitmq.port", BROKER::port);
        registry.add("sdfleet.gateway.models-dir", models::toString);
        registry.add("sdfleet.gateway.default-model", () -> "alpha.safetensors");
        registry.add("sdfleet.gateway.storage-url", () -> "http://127.0.0.1:1"); // no storage: local models only
        try {
            database = TestDatabase.create();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        registry.add("spring.datasource.url", database::url);
        registry.add("spring.datasource.username", database::user);
        registry.add("spring.datasource.password", database::password);
        registry.add("sdfleet.gateway.auth.enabled", () -> "false");
    }

    /** Was: POST /sdapi/v1/options answered 405, so Open WebUI's model switch silently did nothing. */
    @Test
    @Order(1)
    void optionsAreEachUsersOwn() throws Exception {
        JsonNode before = get("/sdapi/v1/options", "alice");
        assertThat(before.get("sd_model_checkpoint").asString()).startsWith("alpha.safetensors");
        assertThat(before.has("CLIP_stop_at_last_layers")).isTrue();
        assertThat(before.has("sd_vae")).isTrue();

        HttpResponse<String> saved = post("/sdapi/v1/options", """
                {"sd_model_checkpoint": "beta", "CLIP_stop_at_last_layers": "2", "samples_format": "png",
                 "no_such_setting": 1}""", "alice");
        assertThat(saved.statusCode()).as(saved.body()).isEqualTo(200);
        assertThat(saved.body()).isEqualTo("null"); // A1111's set_config returns nothing
        assertThat(saved.headers().firstValue(A1111Controller.IGNORED_FIELDS_HEADER)).contains("no_such_setting");

        JsonNode alice = get("/sdapi/v1/options", "alice");
        assertThat(alice.get("sd_model_checkpoint").asString()).startsWith("beta.safetensors [");
        assertThat(alice.get("CLIP_stop_at_last_layers").asInt()).isEqualTo(2);
        assertThat(alice.has("no_such_setting")).isFalse();
        JsonNode bob = get("/sdapi/v1/options", "bob");
        assertThat(bob.get("sd_model_checkpoint").asString()).startsWith("alpha.safetensors");
        assertThat(bob.get("CLIP_stop_at_last_layers").asInt()).isEqualTo(1);

        // sdwebuiapi and others post back the whole dict they read
        assertThat(post("/sdapi/v1/options", alice.toString(), "alice").statusCode()).isEqualTo(200);
        assertThat(get("/sdapi/v1/options", "alice").get("sd_model_checkpoint").asString()).startsWith("beta.safetensors");

        HttpResponse<String> unknown = post("/sdapi/v1/options", "{\"sd_model_checkpoint\": \"gamma\"}", "alice");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("sd_model_checkpoint", "gamma");
        assertThat(get("/sdapi/v1/options", "alice").get("sd_model_checkpoint").asString()).startsWith("beta.safetensors");
        assertThat(post("/sdapi/v1/options", "[1]", "alice").statusCode()).isEqualTo(400);
    }

    @Test
    @Order(2)
    void savedOptionsAreTheDefaultsOfTheUsersLaterRequests() throws Exception {
        String own = submit("{\"prompt\": \"a\", \"steps\": 1, \"width\": 64, \"height\": 64}", "alice");
        String overridden = submit("{\"prompt\": \"b\", \"steps\": 1, \"width\": 64, \"height\": 64, "
                + "\"override_settings\": {\"sd_model_checkpoint\": \"alpha.safetensors\"}}", "alice");
        String bobs = submit("{\"prompt\": \"c\", \"steps\": 1, \"width\": 64, \"height\": 64}", "bob");
        assertThat(modelOf(own, "alice")).isEqualTo("beta.safetensors");
        assertThat(modelOf(overridden, "alice")).isEqualTo("alpha.safetensors");
        assertThat(modelOf(bobs, "bob")).isEqualTo("alpha.safetensors");
    }

    /** Was: with no worker, a synchronous txt2img held its connection for the hour-long sync timeout. */
    @Test
    @Order(3)
    void withNoWorkerToMakeItASyncRequestIsAnswered503AtOnce() throws Exception {
        String body = "{\"prompt\": \"x\", \"steps\": 1, \"width\": 64, \"height\": 64}";
        HttpResponse<String> none = post("/sdapi/v1/txt2img", body, "alice");
        assertThat(none.statusCode()).as(none.body()).isEqualTo(503);
        assertThat(none.headers().firstValue("Retry-After")).contains(String.valueOf(NoWorkerException.RETRY_AFTER_SECONDS));
        assertThat(none.body()).contains("no worker");

        heartbeat("w-drained", true);
        awaitWorkerSeen("w-drained");
        assertThat(post("/sdapi/v1/img2img", body, "alice").statusCode()).as("bad input still gets its 400").isEqualTo(400);
        assertThat(post("/sdapi/v1/txt2img", body, "alice").statusCode()).as("a drained worker takes nothing").isEqualTo(503);

        heartbeat("w-live", false);
        awaitWorkerSeen("w-live");
        HttpResponse<String> waited = post("/sdapi/v1/txt2img", body, "alice");
        assertThat(waited.statusCode()).as("queued for the live worker, then the 2 s sync timeout").isEqualTo(504);
        assertThat(waited.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(JSON.readTree(waited.body()).get("id").asString()).isNotBlank();
    }

    @org.springframework.beans.factory.annotation.Autowired
    io.sdfleet.gateway.generation.Generations generations;

    /** Was: the gateway kept every generation it ever saw in memory, init images included (issue 14, point 6). */
    @Test
    @Order(4)
    void finishedGenerationsLeaveMemoryAndAreStillReadFromTheDatabase() throws Exception {
        String id = submit("{\"prompt\": \"gone\", \"steps\": 1, \"width\": 64, \"height\": 64}", "carol");
        HttpResponse<String> cancelled = http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id))
                .header("X-Sdfleet-User", "carol").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(cancelled.statusCode()).isEqualTo(204);
        int before = generations.inMemory();
        generations.forgetOver(Instant.now(), java.time.Duration.ofMinutes(5)); // first seen over now: kept
        assertThat(generations.inMemory()).isEqualTo(before);
        generations.forgetOver(Instant.now().plus(java.time.Duration.ofMinutes(6)), java.time.Duration.ofMinutes(5));
        assertThat(generations.inMemory()).as("only live generations stay").isLessThan(before);
        assertThat(get("/api/v1/generations/" + id, "carol").get("state").asString()).isEqualTo("cancelled");
    }

    private void heartbeat(String worker, boolean drained) throws Exception {
        WorkerHeartbeat beat = new WorkerHeartbeat(worker, "cpu", 8L << 30, 4L << 30, 1L << 30, List.of(), null,
                Instant.now(), drained, 0);
        channel.basicPublish(NAMES.heartbeatsExchange(), "", new AMQP.BasicProperties.Builder()
                .contentType("application/json").build(), JSON.writeValueAsBytes(beat));
    }

    private void awaitWorkerSeen(String worker) throws Exception {
        for (int i = 0; i < 100; i++) {
            if (get("/sdapi/v1/memory", "alice").path("workers").has(worker)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(worker + "'s heartbeat never reached the gateway");
    }

    private String submit(String body, String user) throws Exception {
        HttpResponse<String> accepted = post("/api/v1/generations", body, user);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).get("id").asString();
    }

    private String modelOf(String id, String user) throws Exception {
        for (JsonNode g : get("/api/v1/generations", user)) {
            if (g.get("id").asString().equals(id)) {
                return g.get("model").asString();
            }
        }
        throw new AssertionError(id + " not among " + user + "'s generations");
    }

    private JsonNode get(String path, String user) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).header("X-Sdfleet-User", user).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String path, String body, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("X-Sdfleet-User", user).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}

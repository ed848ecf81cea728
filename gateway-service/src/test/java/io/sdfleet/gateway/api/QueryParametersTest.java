package io.sdfleet.gateway.api;

import io.sdfleet.contracts.Messaging;
import io.sdfleet.gateway.GatewayApplication;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, point 7: bad query and path parameters of the gateway's GET endpoints answer 400 problem+json naming
 * the parameter, never 500. A small fuzz: every parameter with values of the wrong type, out of range, empty,
 * huge and hostile. The image index used to reach storage-service and come back a 500.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {GatewayApplication.CONFIG_NAME, TestInternalToken.PROPERTY})
class QueryParametersTest {

    private static final String PREFIX = "test-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> NOT_INTEGERS = List.of("abc", "1.5", "1e3", "99999999999999999999",
            "-", "1;drop table", "NaN", "one");
    // Spring's and Java's integers take 0x10, "1 1" (spaces dropped) and other scripts' digits (١): lenient, and fine
    private static TestDatabase database;

    @LocalServerPort
    int port;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    Messaging.Names names;

    private final HttpClient http = HttpClient.newHttpClient();

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
        registry.add("sdfleet.gateway.auth.enabled", () -> "false");
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        if (database != null) {
            database.close();
        }
    }

    @Test
    void theListsLimitAndBeforeAreRefusedByName() throws Exception {
        for (String value : NOT_INTEGERS) {
            assertRefusedNaming("/api/v1/generations?limit=" + encode(value), "limit");
        }
        assertRefusedNaming("/api/v1/generations?limit=%00", "limit"); // Tomcat refuses NUL in a path itself
        for (String value : List.of("garbage", "", "2026-13-01T00:00:00Z", "yesterday", "1700000000", "2026-01-01")) {
            assertRefusedNaming("/api/v1/generations?before=" + encode(value), "before");
        }
        // in range, clamped or empty (the default, as Spring reads it), these are fine
        for (String value : List.of("", "0", "-5", "1", "200", "100000")) {
            assertThat(get("/api/v1/generations?limit=" + value).statusCode()).as("limit=" + value).isEqualTo(200);
        }
    }

    @Test
    void anImageIndexOutsideTheRequestOrNotANumberIsRefusedByName() throws Exception {
        String id = submit();
        for (String value : NOT_INTEGERS) {
            assertRefusedNaming("/api/v1/generations/" + id + "/images/" + encode(value).replace("+", "%20"), "index");
        }
        for (String value : List.of("-1", "2", "1000", String.valueOf(Integer.MAX_VALUE), String.valueOf(Integer.MIN_VALUE))) {
            assertRefusedNaming("/api/v1/generations/" + id + "/images/" + value, "index");
        }
        // in range but not stored: storage-service (absent here) is asked, and its absence is a 503, not a 500
        HttpResponse<String> inRange = get("/api/v1/generations/" + id + "/images/1");
        assertThat(inRange.statusCode()).as(inRange.body()).isEqualTo(503);
        assertThat(inRange.headers().firstValue("Retry-After")).isPresent();
        // another user's generation, or none, stays unknown whatever the index
        assertThat(get("/api/v1/generations/" + id + "/images/-1", "mallory").statusCode()).isEqualTo(404);
        assertThat(get("/api/v1/generations/nope/images/abc").statusCode()).isEqualTo(400);
    }

    @Test
    void progressFlagsAreRefusedByName() throws Exception {
        for (String value : List.of("maybe", "2", "yes please", "%00")) {
            assertRefusedNaming("/sdapi/v1/progress?skip_current_image=" + encode(value), "skip_current_image");
        }
        for (String value : List.of("", "nope", "../../etc/passwd", "x".repeat(2000))) {
            assertThat(get("/sdapi/v1/progress?force_task_id=" + encode(value)).statusCode()).isEqualTo(200);
        }
    }

    private String submit() throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri("/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "alice")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a fox\", \"steps\": 2, \"width\": 64, "
                        + "\"height\": 64, \"batch_size\": 2}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        admin.purgeQueue(names.requestsQueue(), true); // nothing consumes it here
        return JSON.readTree(accepted.body()).get("id").asString();
    }

    private void assertRefusedNaming(String path, String parameter) throws Exception {
        HttpResponse<String> response = get(path);
        String what = path + " → " + response.statusCode() + " " + response.body();
        assertThat(response.statusCode()).as(what).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).as(what).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("errors").path(0).path("field").asString()).as(what).isEqualTo(parameter);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, "alice");
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("X-Sdfleet-User", user).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String encode(String value) {
        return value.equals("%00") ? value : URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}

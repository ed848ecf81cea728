package io.sdfleet.gateway.security;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.gateway.GatewayApplication;
import io.sdfleet.gateway.RawHttp;
import io.sdfleet.gateway.auth.Secrets;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CORS as A1111 does it with {@code --cors-allow-origins} and {@code --cors-allow-origins-regex} (Starlette's
 * CORSMiddleware: every method, every header, credentials), on the real gateway with authentication on: preflights
 * are answered before authentication, refusals by filters carry the headers so a page can read them, and an origin
 * not on the list gets none.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {GatewayApplication.CONFIG_NAME, TestInternalToken.PROPERTY,
                "sdfleet.gateway.cors.allow-origins=http://allowed.example, https://app.example:8443",
                "sdfleet.gateway.cors.allow-origins-regex=https://[a-z]+\\.example\\.org"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CorsTest {

    private static final String PREFIX = "cors-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final String ADMIN_KEY = Secrets.newApiKey();
    private static final String ALLOWED = "http://allowed.example";
    private static TestDatabase database;

    @LocalServerPort
    int port;

    private RawHttp http;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        Path models = Files.createTempDirectory("sdfleet-cors-models");
        Files.writeString(models.resolve("v1-5.safetensors"), "x");
        database = TestDatabase.create();
        registry.add("sdfleet.messaging.prefix", () -> PREFIX);
        registry.add("spring.rabbitmq.host", BROKER::host);
        registry.add("spring.rabbitmq.port", BROKER::port);
        registry.add("sdfleet.gateway.models-dir", models::toString);
        registry.add("sdfleet.gateway.default-model", () -> "v1-5.safetensors");
        registry.add("spring.datasource.url", database::url);
        registry.add("spring.datasource.username", database::user);
        registry.add("spring.datasource.password", database::password);
        registry.add("sdfleet.gateway.auth.enabled", () -> "true");
        registry.add("sdfleet.gateway.auth.bootstrap-admin-key", () -> ADMIN_KEY);
        registry.add("sdfleet.gateway.limits.max-request-body-bytes", () -> 1000);
    }

    @BeforeAll
    void client() {
        http = new RawHttp(port);
    }

    @AfterAll
    void cleanUp() throws Exception {
        Messaging.Names names = new Messaging.Names(PREFIX);
        try (Connection connection = BROKER.connect(); Channel channel = connection.createChannel()) {
            channel.queueDelete(names.requestsQueue());
            channel.exchangeDelete(names.eventsExchange());
            channel.exchangeDelete(names.heartbeatsExchange());
        }
        database.close();
    }

    @Test
    void aPreflightFromAnAllowedOriginIsAnsweredBeforeAuthentication() throws Exception {
        for (String path : List.of("/sdapi/v1/txt2img", "/api/v1/generations", "/actuator/prometheus")) {
            RawHttp.Response r = preflight(path, ALLOWED, "POST", "authorization,content-type");
            assertThat(r.status()).as(path).isEqualTo(200);
            assertThat(r.body()).isEqualTo("OK");
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
            assertThat(r.header("Access-Control-Allow-Methods")).isEqualTo("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
            assertThat(r.header("Access-Control-Allow-Headers")).isEqualTo("authorization,content-type");
            assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(r.header("Access-Control-Max-Age")).isEqualTo("600");
            assertThat(r.header("Vary")).isEqualTo("Origin");
            assertThat(r.header("WWW-Authenticate")).as("no authentication ran").isNull();
            assertThat(r.header("Access-Control-Allow-Private-Network")).isNull();
        }
        RawHttp.Response bare = preflight("/sdapi/v1/options", "https://app.example:8443", "GET", null);
        assertThat(bare.status()).isEqualTo(200);
        assertThat(bare.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example:8443");
        assertThat(bare.header("Access-Control-Allow-Headers")).as("none asked for, none named").isNull();
    }

    @Test
    void aPreflightFromAnotherOriginIsRefused() throws Exception {
        for (String origin : List.of("http://evil.example", "http://allowed.example:80", "https://allowed.example",
                "null", "https://x.example.org.evil.example", "https://X.example.org")) {
            RawHttp.Response r = preflight("/sdapi/v1/txt2img", origin, "POST", "authorization");
            assertThat(r.status()).as(origin).isEqualTo(400);
            assertThat(r.body()).isEqualTo("Disallowed CORS origin");
            assertThat(r.headers().keySet()).as(origin).noneMatch(h -> h.startsWith("access-control-allow"));
        }
        RawHttp.Response method = preflight("/sdapi/v1/txt2img", ALLOWED, "TRACE", null);
        assertThat(method.status()).isEqualTo(400);
        assertThat(method.body()).isEqualTo("Disallowed CORS method");
    }

    @Test
    void theRegexMatchesWholeOrigins() throws Exception {
        RawHttp.Response r = preflight("/sdapi/v1/txt2img", "https://studio.example.org", "POST", "content-type");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://studio.example.org");
        RawHttp.Response actual = get("/sdapi/v1/options", "https://studio.example.org", ADMIN_KEY);
        assertThat(actual.status()).isEqualTo(200);
        assertThat(actual.header("Access-Control-Allow-Origin")).isEqualTo("https://studio.example.org");
    }

    @Test
    void aPrivateNetworkPreflightIsAllowedForAnAllowedOrigin() throws Exception {
        Map<String, String> headers = Map.of("Origin", ALLOWED, "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Private-Network", "true");
        RawHttp.Response r = http.send("OPTIONS", "/sdapi/v1/progress", headers, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Access-Control-Allow-Private-Network")).isEqualTo("true");
        RawHttp.Response refused = http.send("OPTIONS", "/sdapi/v1/progress", Map.of("Origin", "http://evil.example",
                "Access-Control-Request-Method", "GET", "Access-Control-Request-Private-Network", "true"), null);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.header("Access-Control-Allow-Private-Network")).isNull();
    }

    @Test
    void actualCallsFromAnAllowedOriginCarryTheHeadersErrorsIncluded() throws Exception {
        RawHttp.Response ok = get("/sdapi/v1/options", ALLOWED, ADMIN_KEY);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        assertThat(ok.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(ok.header("Vary")).contains("Origin");
        assertThat(ok.header("Content-Security-Policy")).as("the browser headers stay").contains("default-src 'self'");

        RawHttp.Response unauthorized = get("/sdapi/v1/options", ALLOWED, null);
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.header("Access-Control-Allow-Origin")).as("a page can read its 401").isEqualTo(ALLOWED);
        assertThat(unauthorized.header("Access-Control-Allow-Credentials")).isEqualTo("true");

        Map<String, String> tooLarge = new LinkedHashMap<>(Map.of("Origin", ALLOWED,
                "Authorization", "Bearer " + ADMIN_KEY, "Content-Type", "application/json"));
        RawHttp.Response large = http.send("POST", "/sdapi/v1/txt2img", tooLarge,
                ("{\"prompt\": \"" + "a".repeat(2000) + "\"}").getBytes());
        assertThat(large.status()).isEqualTo(413);
        assertThat(large.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);

        RawHttp.Response missing = get("/api/v1/generations/nope", ALLOWED, ADMIN_KEY);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.header("Access-Control-Allow-Origin")).as("a controller's error too").isEqualTo(ALLOWED);

        RawHttp.Response health = get("/actuator/health", ALLOWED, null);
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
    }

    @Test
    void otherOriginsAndSameOriginCallsGetNoCorsHeaders() throws Exception {
        for (RawHttp.Response r : List.of(get("/sdapi/v1/options", "http://evil.example", ADMIN_KEY),
                get("/sdapi/v1/options", "http://evil.example", null), get("/sdapi/v1/options", null, ADMIN_KEY))) {
            assertThat(r.headers().keySet()).noneMatch(h -> h.startsWith("access-control-"));
        }
        assertThat(get("/sdapi/v1/options", "http://evil.example", ADMIN_KEY).status())
                .as("answered as before: the browser withholds it from the page").isEqualTo(200);
        // an OPTIONS without Access-Control-Request-Method is no preflight: authentication applies
        assertThat(http.send("OPTIONS", "/sdapi/v1/options", Map.of("Origin", ALLOWED), null).status()).isEqualTo(401);
    }

    private RawHttp.Response preflight(String path, String origin, String method, String headers) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Origin", origin);
        h.put("Access-Control-Request-Method", method);
        if (headers != null) {
            h.put("Access-Control-Request-Headers", headers);
        }
        return http.send("OPTIONS", path, h, null);
    }

    private RawHttp.Response get(String path, String origin, String key) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        if (origin != null) {
            h.put("Origin", origin);
        }
        if (key != null) {
            h.put("Authorization", "Bearer " + key);
        }
        return http.send("GET", path, h, null);
    }
}

package io.sdfleet.gateway.security;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.gateway.GatewayApplication;
import io.sdfleet.gateway.PathVariants;
import io.sdfleet.gateway.RawHttp;
import io.sdfleet.gateway.TestPngs;
import io.sdfleet.gateway.auth.KeyUsage;
import io.sdfleet.gateway.auth.Secrets;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway as an attacker meets it, authentication on, on the machine's PostgreSQL and RabbitMQ (else embedded
 * ones): every spelling of a protected path needs credentials, bodies and PNG text are bounded, guessing credentials
 * is throttled and costs the same for unknown users, key use is not a write per call, every response carries the
 * browser hardening headers, meters and API docs are for admins, and {@code /memory} shows a user only their own
 * job. Each test is an attack that succeeded before these were built.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {GatewayApplication.CONFIG_NAME, TestInternalToken.PROPERTY})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewaySecurityTest {

    private static final String PREFIX = "sec-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final Messaging.Names NAMES = new Messaging.Names(PREFIX);
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final String ADMIN_KEY = Secrets.newApiKey();
    private static final int FAILURES_PER_ADDRESS = 40;
    private static final int FAILURES_PER_USER = 5;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static TestDatabase database;
    private static Path models;

    @LocalServerPort
    int port;
    @Autowired
    JdbcTemplate jdbc;
    @Autowired
    KeyUsage keyUsage;

    private RawHttp http;
    private String alice;
    private String bob;
    /** Wrong credentials sent from 127.0.0.1 so far (they count towards the per-address limit). */
    private int failuresFromHere;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws Exception {
        models = Files.createTempDirectory("sdfleet-security-models");
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
        registry.add("sdfleet.gateway.auth.failed-logins-per-address", () -> FAILURES_PER_ADDRESS);
        registry.add("sdfleet.gateway.auth.failed-logins-per-user", () -> FAILURES_PER_USER);
        registry.add("sdfleet.gateway.auth.key-usage-flush-millis", () -> 3_600_000); // flushed by hand below
        registry.add("sdfleet.gateway.limits.max-request-body-bytes", () -> 1_000_000);
        registry.add("sdfleet.gateway.limits.max-png-info-text-bytes", () -> 100_000);
        registry.add("server.tomcat.max-swallow-size", () -> -1); // so an early 413 reaches a client still sending
    }

    @BeforeAll
    void users() throws Exception {
        http = new RawHttp(port);
        assertThat(call("POST", "/api/v1/admin/users", ADMIN_KEY, "{\"name\": \"alice\", \"password\": \"alice's long secret\"}").status()).isEqualTo(201);
        assertThat(call("POST", "/api/v1/admin/users", ADMIN_KEY, "{\"name\": \"bob\", \"password\": \"bob's long secret\"}").status()).isEqualTo(201);
        alice = JSON.readTree(call("POST", "/api/v1/admin/users/alice/keys", ADMIN_KEY, "{}").body()).get("key").asString();
        bob = JSON.readTree(call("POST", "/api/v1/admin/users/bob/keys", ADMIN_KEY, "{}").body()).get("key").asString();
    }

    @AfterAll
    void cleanUp() throws Exception {
        try (Connection connection = BROKER.connect(); Channel channel = connection.createChannel()) {
            channel.queueDelete(NAMES.requestsQueue());
            channel.exchangeDelete(NAMES.eventsExchange());
            channel.exchangeDelete(NAMES.heartbeatsExchange());
        }
        database.close();
    }

    /** Was: {@code /%73dapi/v1/memory}, {@code /sdapi;x=1/v1/options}, {@code /%61pi/v1/me} answered without credentials. */
    @Test
    @Order(1)
    void everySpellingOfAProtectedPathNeedsCredentials() throws Exception {
        List<String> protectedPaths = List.of("/sdapi/v1/memory", "/sdapi/v1/options", "/sdapi/v1/sd-models",
                "/sdapi/v1/progress", "/api/v1/me", "/api/v1/generations", "/actuator/prometheus", "/v3/api-docs");
        int variants = 0;
        for (String path : protectedPaths) {
            for (String variant : PathVariants.of(path)) {
                variants++;
                RawHttp.Response anonymous = http.send("GET", variant, Map.of(), null);
                assertThat(anonymous.status()).as("GET %s without credentials: %s", variant, anonymous.body())
                        .isIn(400, 401);
                RawHttp.Response user = http.send("GET", variant, Map.of("Authorization", "Bearer " + alice), null);
                assertThat(user.status()).as("GET %s as a user: %s", variant, user.body()).isLessThan(500);
                if (path.startsWith("/actuator") || path.startsWith("/v3")) {
                    assertThat(user.status()).as("GET %s as a user", variant).isNotEqualTo(200);
                }
            }
            RawHttp.Response pngInfo = http.send("POST", path.replace("memory", "png-info"),
                    Map.of("Content-Type", "application/json"), "{\"image\": \"x\"}".getBytes(StandardCharsets.UTF_8));
            assertThat(pngInfo.status()).isIn(400, 401);
        }
        assertThat(variants).isGreaterThan(150);
        // what stays public: the page's files, its configuration, health probes
        for (String open : List.of("/", "/index.html", "/js/app.js", "/css/app.css", "/ui/config", "/actuator/health",
                "/actuator/health/liveness")) {
            assertThat(http.send("GET", open, Map.of(), null).status()).as(open).isEqualTo(200);
        }
        assertThat(http.send("GET", "/%6As/app.js", Map.of(), null).status()).as("a public file spelled oddly").isEqualTo(401);
    }

    /** Was: a 50 MB JSON body was read and parsed before validation. */
    @Test
    @Order(2)
    void oversizedBodiesAreRefusedBeforeTheyAreRead() throws Exception {
        RawHttp.Response declared = http.send("POST", "/sdapi/v1/txt2img", Map.of("Authorization", "Bearer " + alice,
                "Content-Type", "application/json", "Content-Length", "52428800"), "{".getBytes(StandardCharsets.UTF_8));
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.header("Content-Type")).startsWith("application/problem+json");
        assertThat(declared.body()).contains("\"field\":\"body\"");

        byte[] big = ("{\"prompt\": \"" + "a".repeat(2_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        RawHttp.Response chunked = http.send("POST", "/api/v1/generations", Map.of("Authorization", "Bearer " + alice,
                "Content-Type", "application/json", "Transfer-Encoding", "chunked"), chunked(big));
        assertThat(chunked.status()).as(chunked.body()).isEqualTo(413);
        assertThat(chunked.body()).contains("larger than 1000000 bytes");

        RawHttp.Response small = http.send("POST", "/sdapi/v1/png-info", Map.of("Authorization", "Bearer " + alice,
                "Content-Type", "application/json"), "{\"image\": \"\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(small.status()).as("under the limit, validation answers").isEqualTo(400);
    }

    /** Was: a 408 KB PNG with 20 zTXt chunks answered 314 MB and grew the gateway by 330 MB. */
    @Test
    @Order(3)
    void pngInfoReadsABoundedAmountOfText() throws Exception {
        byte[] bomb = TestPngs.withCompressedText(20, 60_000); // 1.2 MB of text from ~3 KB of PNG
        String body = "{\"image\": \"" + Base64.getEncoder().encodeToString(bomb) + "\"}";
        RawHttp.Response response = http.send("POST", "/sdapi/v1/png-info", Map.of("Authorization", "Bearer " + alice,
                "Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).contains("\"field\":\"image\"").contains("100000 bytes of text");
        assertThat(response.body().length()).isLessThan(2_000);

        byte[] fine = TestPngs.withCompressedText(1, 50_000);
        RawHttp.Response ok = http.send("POST", "/sdapi/v1/png-info", Map.of("Authorization", "Bearer " + alice,
                "Content-Type", "application/json"), ("{\"image\": \"" + Base64.getEncoder().encodeToString(fine) + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        assertThat(ok.status()).isEqualTo(200);
    }

    /** Was: basic auth hashed a password only for existing users (52-132 ms against 3-10 ms). */
    @Test
    @Order(4)
    void anUnknownUserCostsOnePasswordCheckLikeAKnownOne() throws Exception {
        long before = Secrets.passwordChecks();
        assertThat(call("GET", "/sdapi/v1/options", basic("alice", "wrong guess 1")).status()).isEqualTo(401);
        long known = Secrets.passwordChecks() - before;
        before = Secrets.passwordChecks();
        assertThat(call("GET", "/sdapi/v1/options", basic("nobody-by-this-name", "wrong guess 1")).status()).isEqualTo(401);
        long unknown = Secrets.passwordChecks() - before;
        assertThat(known).isEqualTo(1);
        assertThat(unknown).isEqualTo(known);
        failuresFromHere += 2;
    }

    /** Was: 45 wrong passwords in a row, then success, with nothing in between. */
    @Test
    @Order(5)
    void wrongPasswordsForOneUserAreThrottled() throws Exception {
        for (int i = 0; i < FAILURES_PER_USER - 1; i++) { // alice had one in the test before
            assertThat(call("GET", "/sdapi/v1/options", basic("alice", "guess " + i)).status()).isEqualTo(401);
            failuresFromHere++;
        }
        RawHttp.Response throttled = call("GET", "/sdapi/v1/options", basic("alice", "alice's long secret"));
        assertThat(throttled.status()).as("even the right password waits now").isEqualTo(429);
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 300L);
        assertThat(call("GET", "/sdapi/v1/options", alice).status()).as("alice's API key still works").isEqualTo(200);
        assertThat(call("GET", "/sdapi/v1/options", basic("bob", "bob's long secret")).status()).as("bob is not held up")
                .isEqualTo(200);
    }

    /** Was: every successful bearer call ran UPDATE api_keys (every progress poll a write). */
    @Test
    @Order(6)
    void keyUseIsStampedInBatches() throws Exception {
        String version = jdbc.queryForObject("SELECT xmin::text FROM gateway.api_keys k WHERE user_name = 'bob'", String.class);
        for (int i = 0; i < 20; i++) {
            assertThat(call("GET", "/sdapi/v1/progress", bob).status()).isEqualTo(200);
        }
        assertThat(jdbc.queryForObject("SELECT xmin::text FROM gateway.api_keys WHERE user_name = 'bob'", String.class))
                .as("20 calls, no row written").isEqualTo(version);
        keyUsage.flush();
        assertThat(jdbc.queryForObject("SELECT last_used_at FROM gateway.api_keys WHERE user_name = 'bob'", Timestamp.class))
                .isNotNull();
    }

    /** Was: no CSP, X-Content-Type-Options, frame-ancestors or Referrer-Policy anywhere. */
    @Test
    @Order(7)
    void everyResponseCarriesTheHardeningHeaders() throws Exception {
        for (RawHttp.Response r : List.of(http.send("GET", "/", Map.of(), null), http.send("GET", "/js/app.js", Map.of(), null),
                call("GET", "/sdapi/v1/options", alice), http.send("GET", "/sdapi/v1/options", Map.of(), null),
                call("GET", "/api/v1/generations/nope", alice))) {
            assertThat(r.header("Content-Security-Policy")).contains("script-src 'self'", "frame-ancestors 'none'")
                    .doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Referrer-Policy")).isEqualTo("no-referrer");
            assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        }
    }

    /** Was: /actuator/prometheus and /v3/api-docs public on the port the Ingress exposes. */
    @Test
    @Order(8)
    void metersAndApiDocsAreForAdmins() throws Exception {
        Map<String, String> scraper = Map.of("Authorization", TestInternalToken.AUTHORIZATION);
        for (String path : List.of("/actuator/prometheus", "/v3/api-docs")) {
            assertThat(http.send("GET", path, Map.of(), null).status()).as(path).isEqualTo(401);
            assertThat(call("GET", path, alice).status()).as(path).isEqualTo(403);
            assertThat(call("GET", path, ADMIN_KEY).status()).as(path).isEqualTo(200);
            assertThat(http.send("GET", path, scraper, null).status()).as("the fleet's scraper on " + path).isEqualTo(200);
        }
        // the internal credential opens meters and docs only, never a user's endpoints
        for (String path : List.of("/sdapi/v1/options", "/sdapi/v1/memory", "/api/v1/me", "/api/v1/generations")) {
            assertThat(http.send("GET", path, scraper, null).status()).as(path).isEqualTo(401);
            failuresFromHere++; // a credential that is not a user's counts as a failed sign-in
        }
        assertThat(http.send("GET", "/actuator/health/readiness", Map.of(), null).status()).isEqualTo(200);
    }

    /** Was: /sdapi/v1/memory showed every worker's current job, i.e. other users' request ids. */
    @Test
    @Order(9)
    void memoryShowsAUserOnlyTheirOwnJob() throws Exception {
        RawHttp.Response accepted = call("POST", "/api/v1/generations", alice,
                "{\"prompt\": \"a fox\", \"steps\": 2, \"width\": 64, \"height\": 64}");
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();
        String jobId = JobMessage.jobIdOf(id, 0);
        JsonMapper mapper = JsonMapper.builder().findAndAddModules().build();
        WorkerHeartbeat beat = new WorkerHeartbeat("worker-sec-1", "cpu", 8L << 30, 4L << 30, 1L << 30, List.of(),
                jobId, Instant.now());
        try (Connection connection = BROKER.connect(); Channel channel = connection.createChannel()) {
            channel.basicPublish(NAMES.heartbeatsExchange(), "", null, mapper.writeValueAsBytes(beat));
        }
        JsonNode own = null;
        for (int i = 0; i < 50; i++) {
            own = JSON.readTree(call("GET", "/sdapi/v1/memory", alice).body()).path("workers").path("worker-sec-1");
            if (!own.isMissingNode()) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(own.path("current_job").asString()).isEqualTo(jobId);
        String bobs = call("GET", "/sdapi/v1/memory", bob).body();
        assertThat(JSON.readTree(bobs).path("workers").path("worker-sec-1").path("current_job").isNull()).isTrue();
        assertThat(bobs).doesNotContain(id);
        assertThat(call("GET", "/sdapi/v1/memory", ADMIN_KEY).body()).contains(jobId);
    }

    /** Runs last: it spends what is left of this address's allowance. */
    @Test
    @Order(100)
    void wrongCredentialsFromOneAddressAreThrottled() throws Exception {
        while (failuresFromHere < FAILURES_PER_ADDRESS) {
            assertThat(call("GET", "/sdapi/v1/options", "sdf_wrong-" + failuresFromHere).status()).isEqualTo(401);
            failuresFromHere++;
        }
        RawHttp.Response throttled = call("GET", "/sdapi/v1/options", "sdf_wrong-again");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Retry-After")).isNotNull();
        assertThat(call("GET", "/sdapi/v1/options", alice).status()).as("this address waits, whatever it sends")
                .isEqualTo(429);
        assertThat(http.send("GET", "/sdapi/v1/options", Map.of(), null).status()).as("no credentials: a plain 401")
                .isEqualTo(401);
    }

    private RawHttp.Response call(String method, String path, String key) throws Exception {
        return call(method, path, key, null);
    }

    private RawHttp.Response call(String method, String path, String credentials, String json) throws Exception {
        String authorization = credentials.startsWith("Basic ") ? credentials : "Bearer " + credentials;
        return json == null ? http.send(method, path, Map.of("Authorization", authorization), null)
                : http.send(method, path, Map.of("Authorization", authorization, "Content-Type", "application/json"),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] chunked(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += 65_536) {
            int n = Math.min(65_536, body.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}

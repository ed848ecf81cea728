package io.sdfleet.gateway;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.gateway.a1111.A1111Field;
import io.sdfleet.gateway.a1111.A1111Fields;
import io.sdfleet.gateway.auth.Secrets;
import io.sdfleet.infra.S3ProxyServer;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import io.sdfleet.storage.StorageApplication;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Throws over 11,000 malformed and hostile requests at a running gateway, authentication on, over real HTTP
 * (txt2img, img2img, png-info and the native generations API; every spelling of the protected paths, with and
 * without credentials; oversized bodies, declared and chunked; PNGs with many large text chunks) and checks that
 * every answer is a 4xx problem+json, or, where a request happens to be valid, a 202 from the asynchronous API
 * (png-info: a 200 for the odd PNG that parses); never a 5xx, never an answer without credentials, and nothing
 * logged as an error (an exception that escaped to the servlet container).
 *
 * <p>jqwik is its own JUnit Platform engine, so Spring's Jupiter extension ({@code @SpringBootTest}) does not apply
 * to its properties; the gateway is started here with its own builder on a random port instead, exactly as it runs
 * in production. Its broker is {@link TestServers#broker()} under a random name prefix; nothing consumes the
 * requests the async API accepts, and the queue is deleted at the end. The real storage service runs beside it
 * (on its own database and an S3 API server), because an accepted img2img request puts its init images there.
 */
class GatewayFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MODEL = "v1-5.safetensors";
    private static final List<ILoggingEvent> ERRORS = new CopyOnWriteArrayList<>();
    private static ConfigurableApplicationContext gateway;
    private static AppenderBase<ILoggingEvent> errorAppender;
    private static HttpClient http;
    private static String base;
    private static int port;
    private static Path models;
    private static final String ADMIN_KEY = Secrets.newApiKey();
    /** The key every fuzzed request carries: a user whose limits never answer 429 here. */
    private static String fuzzerKey;
    private static final long MAX_BODY = 4_000_000;

    /** Every field of A1111's txt2img and img2img requests, from the gateway's field table. */
    private static final List<String> FIELDS = A1111Fields.ALL.stream()
            .map(A1111Field::name).toList();

    private static TestDatabase database;
    private static TestDatabase storageDatabase;
    private static S3ProxyServer s3;
    private static ConfigurableApplicationContext storage;

    @BeforeContainer
    static void start() throws Exception {
        models = Files.createTempDirectory("sdfleet-fuzz-models");
        Files.writeString(models.resolve(MODEL), "x");
        Files.createDirectories(models.resolve("VAE"));
        Files.writeString(models.resolve("VAE").resolve("vae-ft-mse.safetensors"), "x");
        TestServers.Endpoint broker = TestServers.broker();
        database = TestDatabase.create();
        storageDatabase = TestDatabase.create();
        s3 = S3ProxyServer.start(Files.createTempDirectory("sdfleet-fuzz-s3"));
        storage = StorageApplication.builder().run("--server.port=0", "--" + TestInternalToken.PROPERTY,
                "--spring.datasource.url=" + storageDatabase.url(),
                "--spring.datasource.username=" + storageDatabase.user(),
                "--spring.datasource.password=" + storageDatabase.password(),
                "--sdfleet.s3.endpoint=" + s3.endpoint(), "--sdfleet.s3.access-key=" + S3ProxyServer.IDENTITY,
                "--sdfleet.s3.secret-key=" + S3ProxyServer.CREDENTIAL, "--sdfleet.s3.bucket=fuzz-inputs");
        String storageUrl = "http://127.0.0.1:" + storage.getEnvironment().getProperty("local.server.port");
        String prefix = "fuzz-" + UUID.randomUUID().toString().substring(0, 8) + ".";
        gateway = GatewayApplication.builder().run("--server.port=0", "--" + TestInternalToken.PROPERTY,
                "--sdfleet.messaging.prefix=" + prefix,
                "--spring.datasource.url=" + database.url(), "--spring.datasource.username=" + database.user(),
                "--spring.datasource.password=" + database.password(),
                // the production filter chain, authentication included; wrong credentials are fuzzed too, so the
                // sign-in throttle must never step in
                "--sdfleet.gateway.auth.enabled=true", "--sdfleet.gateway.auth.bootstrap-admin-key=" + ADMIN_KEY,
                "--sdfleet.gateway.auth.failed-logins-per-address=100000000",
                "--sdfleet.gateway.auth.failed-logins-per-user=100000000",
                "--sdfleet.gateway.limits.max-request-body-bytes=" + MAX_BODY,
                "--spring.rabbitmq.host=" + broker.host(), "--spring.rabbitmq.port=" + broker.port(),
                "--sdfleet.gateway.storage-url=" + storageUrl,
                "--sdfleet.gateway.models-dir=" + models, "--sdfleet.gateway.default-model=" + MODEL,
                // a valid request reaching a sync endpoint by mistake fails in 5 s instead of hanging
                "--sdfleet.gateway.sync-timeout-seconds=5", "--logging.level.org.springframework.web=ERROR",
                // no worker runs here: a valid sync request is answered 503 at once (A1111's lenient parsing finds
                // some fuzzed bodies valid), not held until a worker could have reported in
                "--sdfleet.gateway.worker-grace-seconds=0",
                // Tomcat answers an oversized body before reading all of it; swallow the rest so the client, still
                // sending, gets that answer instead of a broken pipe
                "--server.tomcat.max-swallow-size=-1");
        port = Integer.parseInt(gateway.getEnvironment().getProperty("local.server.port"));
        base = "http://127.0.0.1:" + port;
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        errorAppender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                    ERRORS.add(event);
                }
            }
        };
        fuzzerKey = createFuzzer();
        errorAppender.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(errorAppender);
    }

    private static String createFuzzer() throws Exception {
        HttpResponse<String> user = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/users"))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"fuzzer\", \"max_concurrent_jobs\": 100000000, "
                        + "\"max_images_per_day\": 2000000000}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        HttpResponse<String> key = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/admin/users/fuzzer/keys"))
                .header("Authorization", "Bearer " + ADMIN_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(key.body()).get("key").asString();
    }

    @AfterContainer
    static void stop() throws Exception {
        if (errorAppender != null) {
            ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(errorAppender);
        }
        if (gateway != null) {
            Messaging.Names names = gateway.getBean(Messaging.Names.class);
            AmqpAdmin admin = gateway.getBean(AmqpAdmin.class);
            admin.deleteQueue(names.requestsQueue());
            admin.deleteExchange(names.eventsExchange());
            admin.deleteExchange(names.heartbeatsExchange());
            gateway.close();
        }
        if (storage != null) {
            storage.close();
        }
        if (s3 != null) {
            s3.close();
        }
        for (TestDatabase db : new TestDatabase[] {database, storageDatabase}) {
            if (db != null) {
                db.close();
            }
        }
        if (http != null) {
            http.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Properties: 2,500 + 2,500 + 2,000 + 3,000 + 1,000 + 60 + 300 = 11,360 requests.

    @Property(tries = 2500, shrinking = ShrinkingMode.BOUNDED)
    void txt2imgRefusesEveryInvalidRequestWithAProblem(@ForAll("txt2img") Call call) throws Exception {
        assertRefused(send("/sdapi/v1/txt2img", call), call, false);
    }

    @Property(tries = 2500, shrinking = ShrinkingMode.BOUNDED)
    void img2imgRefusesEveryInvalidRequestWithAProblem(@ForAll("img2img") Call call) throws Exception {
        assertRefused(send("/sdapi/v1/img2img", call), call, false);
    }

    @Property(tries = 2000, shrinking = ShrinkingMode.BOUNDED)
    void pngInfoRefusesEveryBadImageWithAProblem(@ForAll("pngInfo") Call call) throws Exception {
        HttpResponse<byte[]> response = send("/sdapi/v1/png-info", call);
        if (response.statusCode() == 200) { // a PNG that parses: png-info answers at once, no worker involved
            assertThat(JSON.readTree(response.body()).has("info")).as(call.describe()).isTrue();
            assertNoErrorLogged(call);
            return;
        }
        assertRefused(response, call, false);
    }

    @Property(tries = 3000, shrinking = ShrinkingMode.BOUNDED)
    void generationsAcceptsOnlyValidRequests(@ForAll("generations") Call call) throws Exception {
        assertRefused(send("/api/v1/generations", call), call, true);
    }

    /**
     * Other spellings of protected paths (encoded, {@code ;params}, doubled slashes, dot segments, case): without
     * valid credentials never anything but 400 or 401; with them never a 5xx.
     */
    @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
    void noSpellingOfAProtectedPathGetsPastAuthentication(@ForAll("protectedPathVariants") String path,
                                                          @ForAll("credentials") String authorization,
                                                          @ForAll boolean post) throws Exception {
        ERRORS.clear();
        Map<String, String> headers = new HashMap<>();
        if (!authorization.equals("none")) {
            headers.put("Authorization", authorization);
        }
        if (post) {
            headers.put("Content-Type", "application/json");
        }
        RawHttp.Response response = new RawHttp(port).send(post ? "POST" : "GET", path, headers,
                // an invalid body: a valid txt2img would wait for a worker that is not there
                post ? "{\"steps\": 0}".getBytes(StandardCharsets.UTF_8) : null);
        String what = (post ? "POST " : "GET ") + path + " [" + authorization + "] → " + response.status() + " "
                + response.body().substring(0, Math.min(300, response.body().length()));
        assertThat(ERRORS).as(what).isEmpty();
        if (!authorization.equals("Bearer " + fuzzerKey)) {
            assertThat(response.status()).as(what).isIn(400, 401);
        } else if (response.status() != 503) { // 503: storage-service, absent here, was needed (model listings)
            assertThat(response.status()).as(what).isLessThan(500);
        }
    }

    /** Bodies over the limit, with their length declared or chunked: 413 problem+json naming the body, on every endpoint. */
    @Property(tries = 60, shrinking = ShrinkingMode.OFF)
    void everyOversizedBodyIsRefused413(@ForAll("bodyEndpoints") String path,
                                        @ForAll("oversizedLengths") int length, @ForAll boolean chunked) throws Exception {
        byte[] body = ("{\"prompt\": \"" + "a".repeat(length) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher publisher = chunked
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))
                : HttpRequest.BodyPublishers.ofByteArray(body);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + fuzzerKey)
                .POST(publisher).build();
        ERRORS.clear();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        Call call = new Call(new byte[0], "application/json", null, path + " " + body.length + " bytes"
                + (chunked ? " chunked" : ""));
        assertRefused(response, call, false);
        assertThat(response.statusCode()).as(call.describe()).isEqualTo(413);
        assertThat(JSON.readTree(response.body()).get("errors").get(0).get("field").asString()).isEqualTo("body");
    }

    /** PNGs with many compressed text chunks: png-info answers within its text budget, or 400 naming the image. */
    @Property(tries = 300, shrinking = ShrinkingMode.BOUNDED)
    void pngInfoBoundsTheTextOfManyChunks(@ForAll @IntRange(min = 1, max = 40) int chunks,
                                          @ForAll @IntRange(min = 1, max = 400_000) int bytesEach)
            throws Exception {
        byte[] png = TestPngs.withCompressedText(chunks, bytesEach);
        Call call = new Call(("{\"image\": \"" + Base64.getEncoder().encodeToString(png) + "\"}")
                .getBytes(StandardCharsets.UTF_8), "application/json", null, chunks + " chunks of " + bytesEach);
        HttpResponse<byte[]> response = send("/sdapi/v1/png-info", call);
        if ((long) chunks * bytesEach <= 4L * 1024 * 1024) {
            assertThat(response.statusCode()).as(call.describe()).isEqualTo(200);
            assertNoErrorLogged(call);
            return;
        }
        assertRefused(response, call, false);
        assertThat(response.body().length).as("a refusal, not the text").isLessThan(2_000);
        assertThat(JSON.readTree(response.body()).get("errors").get(0).get("field").asString()).isEqualTo("image");
    }

    @Example
    void aHundredThousandCharacterPromptIsRefusedOnPrompt() throws Exception {
        HttpResponse<byte[]> response = send("/api/v1/generations",
                Call.json("{\"prompt\": \"" + "a".repeat(100_000) + "\"}"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("errors").get(0).get("field").asString()).isEqualTo("prompt");
    }

    @Example
    void aModelPathTrickIsRefusedOnTheModelField() throws Exception {
        HttpResponse<byte[]> response = send("/api/v1/generations",
                Call.json("{\"override_settings\": {\"sd_model_checkpoint\": \"../../etc/passwd\"}}"));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("errors").get(0).get("field").asString())
                .isEqualTo("override_settings.sd_model_checkpoint");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** One request: body bytes, the Content-Type sent (null for none), the Accept sent (null for none). */
    record Call(byte[] body, String contentType, String accept, String label) {

        static Call json(String body) {
            return new Call(body.getBytes(StandardCharsets.UTF_8), "application/json", "application/json", "json");
        }

        String describe() {
            String text = new String(body, 0, Math.min(body.length, 600), StandardCharsets.UTF_8);
            return label + " [" + contentType + ", accept " + accept + ", " + body.length + " bytes] " + text;
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private HttpResponse<byte[]> send(String path, Call call) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(call.body()))
                .header("Authorization", "Bearer " + fuzzerKey);
        if (call.contentType() != null) {
            request.header("Content-Type", call.contentType());
        }
        if (call.accept() != null) {
            request.header("Accept", call.accept());
        }
        ERRORS.clear();
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void assertRefused(HttpResponse<byte[]> response, Call call, boolean acceptedIsFine) throws Exception {
        String what = call.describe() + "\n→ " + response.statusCode() + " "
                + new String(response.body(), 0, Math.min(response.body().length, 600), StandardCharsets.UTF_8);
        assertNoErrorLogged(call);
        if (acceptedIsFine && response.statusCode() == 202) {
            assertThat(JSON.readTree(response.body()).get("id").asString()).as(what).isNotBlank();
            return;
        }
        if (!acceptedIsFine && response.statusCode() == 503) {
            // a valid A1111 request, and no worker here to make it: told at once, with when to try again
            assertThat(response.headers().firstValue("Retry-After")).as(what).isPresent();
            assertThat(JSON.readTree(response.body()).path("detail").asString()).as(what).contains("no worker");
            return;
        }
        assertThat(response.statusCode()).as(what).isBetween(400, 499);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).as(what)
                .startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.isObject()).as(what).isTrue();
        assertThat(problem.path("status").asInt()).as(what).isEqualTo(response.statusCode());
        assertThat(problem.path("title").asString("")).as(what).isNotBlank();
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).as(what).doesNotContain("\tat ", "Exception");
    }

    private static void assertNoErrorLogged(Call call) {
        assertThat(ERRORS).as(() -> call.describe() + "\nlogged: " + ERRORS.stream()
                .map(e -> e.getFormattedMessage() + " " + (e.getThrowableProxy() == null ? ""
                        : e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage()))
                .toList()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Generators

    @Provide
    Arbitrary<String> protectedPathVariants() {
        return Arbitraries.of("/sdapi/v1/memory", "/sdapi/v1/options", "/sdapi/v1/sd-models", "/sdapi/v1/progress",
                        "/sdapi/v1/png-info", "/sdapi/v1/txt2img", "/sdapi/v1/interrupt", "/api/v1/me",
                        "/api/v1/generations", "/api/v1/tokenize", "/api/v1/admin/users", "/api/v1/models",
                        "/actuator/prometheus", "/actuator/info", "/v3/api-docs", "/swagger-ui/index.html")
                .flatMap(p -> Arbitraries.of(PathVariants.of(p)));
    }

    @Provide
    Arbitrary<String> credentials() {
        return Arbitraries.oneOf(Arbitraries.just("Bearer " + fuzzerKey), Arbitraries.just("Bearer " + fuzzerKey),
                Arbitraries.of("none", "", "Bearer", "Bearer ", "Bearer sdf_wrong", "bearer " + fuzzerKey.substring(1),
                        "Basic", "Basic !!!", "Basic " + Base64.getEncoder().encodeToString("fuzzer:".getBytes()),
                        "Basic " + Base64.getEncoder().encodeToString("admin:admin".getBytes()), "Digest x",
                        "Bearer " + fuzzerKey + "x", "Bearer " + fuzzerKey.toUpperCase(Locale.ROOT)));
    }

    @Provide
    Arbitrary<String> bodyEndpoints() {
        return Arbitraries.of("/sdapi/v1/txt2img", "/sdapi/v1/img2img", "/sdapi/v1/png-info", "/api/v1/generations",
                "/api/v1/tokenize", "/api/v1/admin/users");
    }

    @Provide
    Arbitrary<Integer> oversizedLengths() {
        return Arbitraries.oneOf(Arbitraries.of((int) MAX_BODY, (int) MAX_BODY + 1, 3 * (int) MAX_BODY),
                Arbitraries.integers().between((int) MAX_BODY, 3 * (int) MAX_BODY));
    }

    @Provide
    Arbitrary<Call> txt2img() {
        return Arbitraries.oneOf(rawBodies(), invalidObjects(false), invalidObjects(false));
    }

    @Provide
    Arbitrary<Call> img2img() {
        return Arbitraries.oneOf(rawBodies(), invalidObjects(true), invalidObjects(true));
    }

    @Provide
    Arbitrary<Call> generations() {
        return Arbitraries.oneOf(rawBodies(), anyObjects(false), anyObjects(true), invalidObjects(false),
                invalidObjects(false, invalidForTheNativeApi()));
    }

    @Provide
    Arbitrary<Call> pngInfo() {
        Arbitrary<String> image = Arbitraries.oneOf(hostileImage(), wrongType(), unicodeString());
        Arbitrary<Call> objects = Combinators.combine(image, Arbitraries.of("image", "img", "IMAGE", ""), accept())
                .as((img, key, accept) -> new Call(("{\"" + key + "\": " + img + "}").getBytes(StandardCharsets.UTF_8),
                        "application/json", accept, "png-info"));
        return Arbitraries.oneOf(objects, objects, objects, rawBodies());
    }

    /** Bodies that are not a JSON object (or not JSON at all), under any Content-Type. */
    private Arbitrary<Call> rawBodies() {
        Arbitrary<byte[]> bodies = Arbitraries.oneOf(
                Arbitraries.of("", "null", "[]", "[{}]", "123", "-0", "true", "\"prompt\"", "{", "}", "{\"prompt\":",
                        "{\"prompt\": \"a\"", "{\"steps\": 20,}", "{'prompt': 'x'}", "{prompt: 1}", "{\"a\" 1}",
                        "{\"steps\": NaN}", "{\"steps\": Infinity}", "{\"steps\": 0x10}", "{\"steps\": 012}",
                        "{\"prompt\": \"\\x\"}", "{\"prompt\": \"\\u12\"}", "{\"steps\": 0}{}", "{\"steps\": 0} trailing", "<xml/>",
                        "prompt=a+cat&steps=20", "--boundary\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1",
                        "\uFEFF{\"prompt\": 1}", "/* c */ {\"prompt\": 1}")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.strings().all().ofMaxLength(200).filter(s -> !s.strip().startsWith("{"))
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).filter(b -> b.length == 0 || b[0] != '{'),
                Arbitraries.integers().between(1, 200_000).map(GatewayFuzzTest::deepArrays),
                Arbitraries.integers().between(1, 200_000).map(GatewayFuzzTest::deepObjects),
                Arbitraries.integers().between(1, 100_000).map(d -> "[".repeat(d).getBytes(StandardCharsets.UTF_8)),
                Arbitraries.of(1_000, 100_000, 3_000_000).map(n -> ("\"" + "x".repeat(n) + "\"").getBytes(StandardCharsets.UTF_8)),
                Arbitraries.of(new byte[] {(byte) 0xC3, 0x28}, new byte[] {'{', '"', 'p', '"', ':', '"', (byte) 0xFF, '"', '}'},
                        new byte[] {'{', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ':', '1', '}'}, new byte[] {0, 0, 0}));
        Arbitrary<String> contentType = Arbitraries.of("application/json", "application/json", "text/plain", null,
                "application/x-www-form-urlencoded", "multipart/form-data; boundary=boundary", "application/xml",
                "application/json; charset=utf-16", "application/json; charset=nonsense", "image/png", "*/*",
                "application/problem+json", "garbage", "application/json;;;", "application/vnd.api+json");
        return Combinators.combine(bodies, contentType, accept())
                .as((body, type, accept) -> new Call(body, type, accept, "raw"));
    }

    private Arbitrary<String> accept() {
        return Arbitraries.of("application/json", "application/problem+json", "*/*", null, "application/json, */*;q=0.1");
    }

    /** JSON objects with 0–6 fields at hostile values; the generations API may find some valid. */
    private Arbitrary<Call> anyObjects(boolean img2img) {
        Arbitrary<List<String>> members = member(img2img).list().ofMinSize(0).ofMaxSize(6);
        Arbitrary<String> initImages = img2img ? initImagesValue() : Arbitraries.just(null);
        return Combinators.combine(members, initImages, accept()).as((m, init, accept) -> {
            List<String> all = new ArrayList<>(m);
            if (init != null) {
                all.add("\"init_images\": " + init);
            }
            return new Call(("{" + String.join(", ", all) + "}").getBytes(StandardCharsets.UTF_8), "application/json",
                    accept, img2img ? "img2img-object" : "object");
        });
    }

    /** Like {@link #anyObjects} plus one member that is invalid whatever else the body holds (it goes last, so wins). */
    private Arbitrary<Call> invalidObjects(boolean img2img) {
        return invalidObjects(img2img, surelyInvalidMember());
    }

    private Arbitrary<Call> invalidObjects(boolean img2img, Arbitrary<String> invalidMember) {
        return Combinators.combine(anyObjects(img2img), invalidMember).as((call, bad) -> {
            String body = new String(call.body(), StandardCharsets.UTF_8);
            String inner = body.substring(1, body.length() - 1);
            String withBad = "{" + inner + (inner.isEmpty() ? "" : ", ") + bad + "}";
            return new Call(withBad.getBytes(StandardCharsets.UTF_8), call.contentType(), call.accept(), "invalid-" + call.label());
        });
    }

    /** A member that makes any txt2img or img2img request a 400 (or 422): bad type, range or name. */
    private Arbitrary<String> surelyInvalidMember() {
        return Arbitraries.oneOf(
                Arbitraries.of("\"steps\": 0", "\"steps\": -1", "\"steps\": -2147483649", "\"steps\": 1000001",
                        "\"steps\": \"twenty\"", "\"steps\": 2.5", "\"width\": 0", "\"width\": -512", "\"width\": 63",
                        "\"height\": 1e9", "\"batch_size\": 0", "\"n_iter\": -3", "\"cfg_scale\": \"high\"",
                        "\"seed\": []", "\"sampler_name\": \"No Such Sampler\"", "\"scheduler\": \"nope\"",
                        "\"prompt\": {}", "\"prompt\": true", "\"styles\": \"x\"", "\"enable_hr\": \"perhaps\"",
                        "\"override_settings\": 5", "\"override_settings\": {\"sd_model_checkpoint\": \"../../etc/passwd\"}",
                        "\"override_settings\": {\"sd_model_checkpoint\": \"/etc/passwd\"}",
                        "\"override_settings\": {\"sd_model_checkpoint\": \"v1-5.safetensors\\u0000.txt\"}",
                        "\"override_settings\": {\"sd_vae\": \"../../../../etc/shadow\"}",
                        "\"override_settings\": {\"CLIP_stop_at_last_layers\": 99}",
                        "\"override_settings\": {\"randn_source\": \"\\u0000\"}"),
                // numeric strings are integers to A1111 (pydantic coerces them), so they are no wrong type here
                wrongType().map(v -> "\"steps\": " + (v.equals("null") || v.matches("\"?-?\\d+\"?") ? "\"bad\"" : v)));
    }

    /** A member only the strict native API refuses: A1111's endpoints ignore unknown fields, as A1111 does. */
    private Arbitrary<String> invalidForTheNativeApi() {
        return Arbitraries.oneOf(Arbitraries.of("\"no_such_field\": 1", "\"\": null", "\"__proto__\": {}",
                        "\"width\": 513", "\"styles\": [\"No such style\"]"),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(20)
                        .map(s -> "\"zz_" + s + "\": 1"));
    }

    private Arbitrary<String> member(boolean img2img) {
        Arbitrary<String> field = Arbitraries.of(FIELDS);
        Arbitrary<String> anyField = Combinators.combine(field, value()).as((f, v) -> quote(f) + ": " + v);
        Arbitrary<String> specific = Arbitraries.oneOf(
                numeric("steps"), numeric("width"), numeric("height"), numeric("batch_size"), numeric("n_iter"),
                numeric("seed"), numeric("cfg_scale"), numeric("hr_scale"), numeric("hr_second_pass_steps"),
                numeric("denoising_strength"), numeric("subseed_strength"), numeric("mask_blur"),
                Arbitraries.of("sampler_name", "sampler_index", "scheduler", "hr_sampler_name", "hr_upscaler", "hr_scheduler")
                        .flatMap(f -> Arbitraries.oneOf(Arbitraries.of("Euler", "Euler a", "DPM++ 2M", "Karras", "",
                                "euler", "Euler\\u0000", "../Euler", "UniPC", "LCM", "Automatic"), unicodeString())
                                .map(v -> quote(f) + ": " + (v.startsWith("\"") ? v : "\"" + v + "\""))),
                Arbitraries.of("prompt", "negative_prompt", "hr_prompt", "hr_negative_prompt")
                        .flatMap(f -> Arbitraries.oneOf(unicodeString(), longString()).map(v -> quote(f) + ": " + v)),
                overrideSettings().map(v -> "\"override_settings\": " + v),
                Arbitraries.of("\"enable_hr\": true", "\"tiling\": true", "\"include_init_images\": true",
                        "\"send_images\": false", "\"styles\": []", "\"styles\": [\"nope\"]", "\"styles\": [null]"),
                Arbitraries.just(1).flatMap(i -> hostileImage()).map(v -> "\"mask\": " + v),
                Arbitraries.just(1).flatMap(i -> initImagesValue()).map(v -> "\"init_images\": " + v),
                Arbitraries.strings().all().ofMaxLength(30).map(k -> quote(k) + ": 1"));
        return Arbitraries.frequencyOf(
                Tuple.of(3, anyField), Tuple.of(img2img ? 4 : 3, specific));
    }

    private Arbitrary<String> numeric(String field) {
        return Arbitraries.oneOf(
                Arbitraries.of("0", "-1", "1", "8", "64", "512", "513", "1000", "4096", "4097", "65536", "2147483647",
                        "2147483648", "-2147483649", "9223372036854775807", "9223372036854775808", "18446744073709551616",
                        "123456789012345678901234567890", "1e308", "-1e308", "1e-320", "1.5", "-0.0", "0.0", "512.0",
                        "1E400", "1" + "0".repeat(2000), "0." + "1".repeat(2000)),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.longs().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("Infinity") && !s.contains("NaN")))
                .map(v -> quote(field) + ": " + v);
    }

    /** Any JSON value, mostly of the wrong type for whatever field it lands in. */
    private Arbitrary<String> value() {
        return Arbitraries.frequencyOf(
                Tuple.of(6, wrongType()),
                Tuple.of(2, unicodeString()),
                Tuple.of(1, longString()),
                Tuple.of(1, Arbitraries.integers().between(1, 3000).map(d -> "[".repeat(d) + "]".repeat(d))),
                Tuple.of(1, Arbitraries.integers().between(1, 3000)
                        .map(d -> "{\"a\":".repeat(d) + "1" + "}".repeat(d))));
    }

    private static Arbitrary<String> wrongType() {
        return Arbitraries.of("null", "true", "false", "0", "1", "-1", "1.5", "-0.0", "1e308", "-1e308",
                "123456789012345678901234567890", "9223372036854775808", "\"\"", "\"x\"", "\"20\"", "\"true\"",
                "\"null\"", "[]", "[1]", "[\"a\", 2]", "[[[]]]", "{}", "{\"a\": 1}", "{\"\": null}", "[null]",
                "{\"sd_model_checkpoint\": {}}", "[{}]");
    }

    private static Arbitrary<String> unicodeString() {
        Arbitrary<String> edge = Arbitraries.of("\\u0000", "a\\u0000b", "\\ud800", "\\udfff", "\\udfff\\ud800",
                "\\ud83d\\ude00", "\\ufeff", "\\ufffe", "\\uffff", "\\u202e", "e\\u0301\\u0301\\u0301", "\\u2028\\u2029",
                "\\r\\n\\t", "\\\\", "\\\"", "../..", "%00", "%2e%2e%2f", "${jndi:ldap://x/a}", "'; DROP TABLE x; --",
                "\\u0085", "\\u00a0", " ", "   ", "AND", "(a:1e308)", "[[[[", "((((((((((x))))))))))", "<lora:../../x:1>",
                "<hypernet:/etc/passwd:1>", "embedding:../../x", "BREAK", "a AND b :: 1e999");
        Arbitrary<String> random = Arbitraries.strings().all().ofMaxLength(60).map(GatewayFuzzTest::escape);
        return Arbitraries.oneOf(edge, random).map(s -> "\"" + s + "\"");
    }

    private static Arbitrary<String> longString() {
        return Arbitraries.of(10_001, 100_000, 1_000_000).flatMap(n -> Arbitraries.of(
                "\"" + "a".repeat(n) + "\"", "\"" + " ".repeat(n) + "x\"", "\"" + "(".repeat(n) + "\"",
                "\"" + "\\u00e9".repeat(n / 6) + "\"", "\"" + "\\ud83d\\ude00".repeat(n / 12) + "\"",
                "\"" + "a, ".repeat(n / 3) + "\""));
    }

    private static Arbitrary<String> overrideSettings() {
        Arbitrary<String> name = Arbitraries.of("../../etc/passwd", "/etc/passwd", "..", ".", "", " ",
                "C:\\\\Windows\\\\system32\\\\config", "\\\\\\\\server\\\\share\\\\x.safetensors", "v1-5.safetensors\\u0000",
                "v1-5\\u0000../../x", "~root/.ssh/id_rsa", "file:///etc/passwd", "http://evil/x.safetensors",
                "v1-5 [zzzz]", "v1-5.safetensors [abc]", "v1-5", "v1-5.safetensors", "VAE/vae-ft-mse", "vae-ft-mse",
                "vae-ft-mse.safetensors", "Automatic", "None", "../VAE/vae-ft-mse.safetensors", "%2e%2e/x",
                "\\ud800.safetensors", "[" + "a".repeat(20_000), " ".repeat(20_000) + "x", " ".repeat(20_000) + "[");
        Arbitrary<String> nameValue = Arbitraries.oneOf(name.map(n -> "\"" + n + "\""), wrongType());
        Arbitrary<String> key = Arbitraries.of("sd_model_checkpoint", "sd_vae", "CLIP_stop_at_last_layers",
                "randn_source", "eta_noise_seed_delta", "sd_model_checkpoint", "../x", "", "outdir_samples");
        Arbitrary<String> entry = Combinators.combine(key, Arbitraries.oneOf(nameValue, wrongType(),
                Arbitraries.of("\"CPU\"", "\"GPU\"", "\"NV\"", "\"nv \"", "12", "0", "13", "1e300"))).as((k, v) -> "\"" + k + "\": " + v);
        return Arbitraries.oneOf(entry.list().ofMaxSize(4).map(l -> "{" + String.join(", ", l) + "}"), wrongType());
    }

    private Arbitrary<String> initImagesValue() {
        Arbitrary<String> list = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just("\"" + TINY_PNG + "\"")),
                Tuple.of(5, hostileImage()))
                .list().ofMinSize(0).ofMaxSize(4).map(l -> "[" + String.join(", ", l) + "]");
        return Arbitraries.frequencyOf(
                Tuple.of(8, list),
                Tuple.of(1, Arbitraries.of(17, 100).map(n -> "[" + String.join(", ",
                        Collections.nCopies(n, "\"" + TINY_PNG + "\"")) + "]")),
                Tuple.of(2, wrongType()));
    }

    /** A JSON value for an image field: bad base64, not an image, broken or oversized PNGs, hostile PNG text chunks. */
    private static Arbitrary<String> hostileImage() {
        Arbitrary<byte[]> bytes = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.of(HOSTILE_IMAGES),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64).map(tail -> concat(PNG_SIGNATURE, tail)),
                Arbitraries.integers().map(n -> concat(PNG_SIGNATURE, ByteBuffer.allocate(8).putInt(n).put("iTXt".getBytes()).array())),
                Arbitraries.strings().ofMaxLength(300).map(t -> pngWithText("tEXt", ("parameters\0" + t).getBytes(StandardCharsets.ISO_8859_1))),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(d -> pngWithText("iTXt", d)),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40).map(d -> pngWithText("zTXt", d)),
                Arbitraries.integers().between(0, 4).map(k -> pngWithText("iTXt",
                        concat("parameters".getBytes(StandardCharsets.ISO_8859_1), new byte[k]))));
        Arbitrary<String> encoded = bytes.flatMap(b -> Arbitraries.of(
                Base64.getEncoder().encodeToString(b),
                "data:image/png;base64," + Base64.getEncoder().encodeToString(b),
                Base64.getMimeEncoder().encodeToString(b).replace("\r\n", "\\r\\n"),
                Base64.getUrlEncoder().encodeToString(b),
                Base64.getEncoder().withoutPadding().encodeToString(b)));
        Arbitrary<String> badBase64 = Arbitraries.of("!!!", "====", "a", "ab=", "data:", "data:,", "data:image/png;base64",
                "data:image/png;base64,", ",", "\\u0000", "aGVsbG8", "aGVsbG8===", "%%%%", "\\ud800\\udc00AAAA",
                "a".repeat(1_000_001), "A".repeat(30_000_000));
        return Arbitraries.frequencyOf(
                Tuple.of(10, encoded.map(s -> "\"" + s + "\"")),
                Tuple.of(3, badBase64.map(s -> "\"" + s + "\"")),
                Tuple.of(1, wrongType()));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Crafted bytes

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    private static final String TINY_PNG = Base64.getEncoder().encodeToString(png(8, 8));
    private static final byte[][] HOSTILE_IMAGES = {
            new byte[0],
            "GIF89a".getBytes(StandardCharsets.US_ASCII),
            "hello, not an image".getBytes(StandardCharsets.US_ASCII),
            PNG_SIGNATURE,
            concat(PNG_SIGNATURE, new byte[] {0, 0, 0, 13, 'I', 'H', 'D', 'R'}),
            pngHeaderOnly(100_000, 100_000, 2), // decompression bombs: headers promising more pixels than memory holds
            pngHeaderOnly(65_535, 65_535, 2),
            pngHeaderOnly(40_000, 40_000, 0),
            pngHeaderOnly(16_384, 16_384, 2),
            pngHeaderOnly(0, 0, 2),
            pngHeaderOnly(-1, -1, 2),
            png(4097, 1),
            png(1, 4097),
            png(8, 8),
            jpeg(16, 16),
            gifHeader(65_535, 65_535),
            bmpHeader(100_000, 100_000),
            pngWithText("zTXt", concat("parameters\0\0".getBytes(StandardCharsets.ISO_8859_1), TestPngs.zlib(new byte[20_000_000]))),
            pngWithText("tEXt", ("parameters\0Steps: \"" + "\\\\\"".repeat(40_000) + "\"").getBytes(StandardCharsets.ISO_8859_1)),
            pngWithText("tEXt", ("parameters\0a\nSteps: 20, Sampler: \"" + "x".repeat(200_000) + "\", Seed: 1").getBytes(StandardCharsets.ISO_8859_1)),
            pngWithText("tEXt", ("parameters\0" + "Negative prompt: ".repeat(10_000)).getBytes(StandardCharsets.ISO_8859_1)),
            pngWithText("tEXt", ("parameters\0" + "a: ".repeat(50_000)).getBytes(StandardCharsets.ISO_8859_1)),
            pngWithText("tEXt", "no-separator".getBytes(StandardCharsets.ISO_8859_1)),
            pngWithText("iTXt", "parameters\0".getBytes(StandardCharsets.ISO_8859_1)),
            pngWithText("iTXt", "parameters\0\1".getBytes(StandardCharsets.ISO_8859_1)),
            pngWithText("iTXt", "parameters\0\1\0\0\0garbage".getBytes(StandardCharsets.ISO_8859_1)),
    };

    private static byte[] png(int w, int h) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] jpeg(int w, int h) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "jpg", out);
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signature and an IHDR declaring {@code w × h} 8-bit (color type 0 gray, 2 RGB), a few zero bytes of IDAT, IEND. */
    private static byte[] pngHeaderOnly(int w, int h, int colorType) {
        byte[] ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) colorType).put((byte) 0)
                .put((byte) 0).put((byte) 0).array();
        return concat(PNG_SIGNATURE, TestPngs.chunk("IHDR", ihdr), TestPngs.chunk("IDAT", TestPngs.zlib(new byte[64])), TestPngs.chunk("IEND", new byte[0]));
    }

    private static byte[] gifHeader(int w, int h) {
        return concat("GIF89a".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) w, (byte) (w >> 8), (byte) h, (byte) (h >> 8), 0, 0, 0, ';'});
    }

    private static byte[] bmpHeader(int w, int h) {
        ByteBuffer b = ByteBuffer.allocate(54).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(54).putInt(0).putInt(54).putInt(40).putInt(w).putInt(h)
                .putShort((short) 1).putShort((short) 24).putInt(0).putInt(0).putInt(0).putInt(0).putInt(0).putInt(0);
        return b.array();
    }

    private static byte[] pngWithText(String type, byte[] data) {
        byte[] plain = png(8, 8);
        int ihdrEnd = 8 + 8 + 13 + 4;
        return concat(Arrays.copyOf(plain, ihdrEnd), TestPngs.chunk(type, data),
                Arrays.copyOfRange(plain, ihdrEnd, plain.length));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] deepArrays(int depth) {
        return ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] deepObjects(int depth) {
        return ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return "\"" + escape(s) + "\"";
    }

    /** JSON string escaping, every non-ASCII or control character as a \\u escape (lone surrogates included). */
    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}

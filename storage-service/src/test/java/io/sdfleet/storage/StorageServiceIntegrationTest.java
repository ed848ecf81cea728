package io.sdfleet.storage;

import io.sdfleet.infra.S3ProxyServer;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The storage service against a real PostgreSQL (the machine's) and a real S3 API server (S3Proxy, started here),
 * over HTTP: images are stored once, a redelivery does not duplicate them, bytes come back identical, and nobody
 * without the fleet's internal credential reads or writes anything.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {StorageApplication.CONFIG_NAME, TestInternalToken.PROPERTY})
class StorageServiceIntegrationTest {

    @TempDir
    static Path dir;
    private static TestDatabase database;
    private static S3ProxyServer s3;

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startInfrastructure() throws Exception {
        database = TestDatabase.create();
        s3 = S3ProxyServer.start(dir.resolve("s3"));
    }

    @AfterAll
    static void stopInfrastructure() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (database != null) {
            database.close();
        }
    }

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> database.url());
        registry.add("spring.datasource.username", () -> database.user());
        registry.add("spring.datasource.password", () -> database.password());
        registry.add("sdfleet.s3.endpoint", () -> s3.endpoint());
        registry.add("sdfleet.s3.access-key", () -> S3ProxyServer.IDENTITY);
        registry.add("sdfleet.s3.secret-key", () -> S3ProxyServer.CREDENTIAL);
        registry.add("sdfleet.s3.bucket", () -> "images-test");
    }

    @Test
    void storesEachImageOnceAndServesItsBytes() throws Exception {
        String request = UUID.randomUUID().toString();
        byte[] png = png(0x336699);

        HttpResponse<String> first = put(request, request + "-0", 0, 1000, png);
        HttpResponse<String> redelivered = put(request, request + "-0", 0, 1000, png);
        HttpResponse<String> second = put(request, request + "-0", 1, 1001, png(0x996633));

        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(redelivered.statusCode()).as("a repeat is acknowledged, not duplicated").isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(201);
        assertThat(jdbc.sql("SELECT count(*) FROM images WHERE request_id = ?").param(request).query(Long.class).single())
                .isEqualTo(2);
        assertThat(jdbc.sql("SELECT parameters->>'steps' FROM images WHERE request_id = ? AND image_index = 1")
                .param(request).query(String.class).single()).isEqualTo("20");

        HttpResponse<String> list = http.send(signed(uri("/internal/requests/" + request + "/images")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(list.body()).contains("\"imageIndex\":0", "\"imageIndex\":1", "\"seed\":1001");
        HttpResponse<byte[]> bytes = http.send(signed(uri("/internal/requests/" + request + "/images/0")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(bytes.body()).isEqualTo(png);
    }

    /**
     * Was: the key was (job, index), so a request re-split into other jobs after a scheduler restart stored an index
     * twice, and concurrent attempts that both passed the existence check wrote twice (issue 14).
     */
    @Test
    void anImageIndexIsStoredOnceWhicheverJobAndHoweverManyAttemptsRace() throws Exception {
        String request = UUID.randomUUID().toString();
        byte[] png = png(0x224466);
        assertThat(put(request, request + "-0", 3, 50, png).statusCode()).isEqualTo(201);
        assertThat(put(request, request + "-2", 3, 50, png).statusCode()).as("the same index from a re-split job")
                .isEqualTo(200);

        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> racing = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String job = request + "-attempt-" + i;
                racing.add(pool.submit(() -> put(request, job, 4, 51, png).statusCode()));
            }
            List<Integer> statuses = new java.util.ArrayList<>();
            for (var f : racing) {
                statuses.add(f.get());
            }
            assertThat(statuses).containsOnly(200, 201).filteredOn(c -> c == 201).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(jdbc.sql("SELECT count(*) FROM images WHERE request_id = ?").param(request).query(Long.class).single())
                .isEqualTo(2);
    }

    /** Was: init images and masks travelled inside every broker message and gateway row (issue 14, point 6). */
    @Test
    void inputImagesAreStoredOnceByTheirDigestAndReadBack() throws Exception {
        byte[] png = png(0x123456);
        String digest = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(png));
        URI input = uri("/internal/inputs/" + digest);
        HttpResponse<String> missing = http.send(signed(input).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        for (int i = 0; i < 2; i++) { // the same image again is the same object
            HttpResponse<String> put = http.send(signed(input).header("Content-Type", "image/png")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        }
        HttpResponse<byte[]> read = http.send(signed(input).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(read.body()).isEqualTo(png);

        HttpResponse<String> wrong = http.send(signed(uri("/internal/inputs/" + "0".repeat(64)))
                .header("Content-Type", "image/png").PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(wrong.body()).contains("digest");
        HttpResponse<String> notADigest = http.send(signed(uri("/internal/inputs/abc")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(notADigest.statusCode()).isEqualTo(400);
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(input).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(401);
    }

    /** Was: 500 (issue 14, point 7). */
    @Test
    void aMistypedOrMissingParameterIs400NamingIt() throws Exception {
        HttpResponse<String> index = http.send(signed(uri("/internal/requests/r/images/abc")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(index.statusCode()).isEqualTo(400);
        assertThat(index.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        assertThat(index.body()).contains("\"field\":\"index\"");
        HttpResponse<String> name = http.send(signed(uri("/internal/models?kind=lora"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[16])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(name.statusCode()).isEqualTo(400);
        assertThat(name.body()).contains("\"field\":\"name\"");
    }

    @Test
    void rejectsSomethingThatIsNotAPng() throws Exception {
        HttpResponse<String> response = put("r", "r-0", 0, 1, "not a png".getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        assertThat(response.body()).contains("image");
    }

    @Test
    void theWorkersTraceIdIsEchoedAndPrometheusListsTheStorageMeters() throws Exception {
        String request = UUID.randomUUID().toString();
        HttpResponse<String> stored = put(request, request + "-0", 0, 7, png(0x123456), "trace-storage-9");
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
        assertThat(stored.headers().firstValue("X-Request-Id")).contains("trace-storage-9");
        put(request, request + "-0", 0, 7, png(0x123456), "trace-storage-9"); // a repeat

        String metrics = http.send(signed(uri("/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains(
                "sdfleet_storage_images_total{application=\"storage-service\",result=\"stored\"}",
                "sdfleet_storage_images_total{application=\"storage-service\",result=\"duplicate\"}",
                "sdfleet_storage_store_seconds_count{application=\"storage-service\"}",
                "sdfleet_storage_errors_total{application=\"storage-service\",operation=\"store\"}",
                "sdfleet_storage_errors_total{application=\"storage-service\",operation=\"read\"}");
        assertThat(http.send(HttpRequest.newBuilder(uri("/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
        assertThat(http.send(HttpRequest.newBuilder(uri("/actuator/health/liveness")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
    }

    /**
     * The forged-image attack: someone on the network PUTs their own PNG for another user's running request before the
     * worker delivers. Without the fleet's credential it is refused; the worker's real image is stored and served.
     */
    @Test
    void nobodyWithoutTheInternalCredentialStoresOrReadsAnything() throws Exception {
        String request = UUID.randomUUID().toString();
        byte[] forged = png(0xff0000);
        byte[] real = png(0x00ff00);
        String wrong = "Bearer " + "x".repeat(TestInternalToken.VALUE.length());
        for (String authorization : new String[] {null, wrong, TestInternalToken.VALUE, "Basic " + TestInternalToken.VALUE}) {
            HttpRequest.Builder attempt = putRequest(request, request + "-0", 0, 1, forged, null);
            if (authorization != null) {
                attempt.header("Authorization", authorization);
            }
            HttpResponse<String> refused = http.send(attempt.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as("forged PUT with %s", authorization).isEqualTo(401);
            assertThat(refused.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        }
        assertThat(jdbc.sql("SELECT count(*) FROM images WHERE request_id = ?").param(request).query(Long.class).single())
                .isZero();

        assertThat(put(request, request + "-0", 0, 1, real).statusCode()).isEqualTo(201);
        HttpResponse<byte[]> served = http.send(signed(uri("/internal/requests/" + request + "/images/0")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.body()).isEqualTo(real);

        // reads, the model registry and the meters are closed too, whatever the spelling of the path
        for (String path : new String[] {"/internal/requests/" + request + "/images", "/internal/requests/" + request
                + "/images/0", "/%69nternal/requests/" + request + "/images", "/internal;x=1/requests/" + request
                + "/images", "/internal/models", "/actuator/prometheus", "/actuator", "/actuator/health;x=1/../prometheus"}) {
            assertThat(rawGet(path)).as(path).isEqualTo(401);
        }
        HttpResponse<String> delete = http.send(HttpRequest.newBuilder(uri("/internal/models/" + "0".repeat(64)))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(delete.statusCode()).isEqualTo(401);
        HttpResponse<String> register = http.send(HttpRequest.newBuilder(uri("/internal/models?kind=lora&name=x.safetensors"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[16])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(register.statusCode()).isEqualTo(401);
        assertThat(rawGet("/actuator/health")).isEqualTo(200);
    }

    /** A GET sent byte for byte as written (java.net.http would normalise or refuse some of these paths). */
    private int rawGet(String path) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    private HttpResponse<String> put(String request, String job, int index, long seed, byte[] png) throws Exception {
        return put(request, job, index, seed, png, null);
    }

    private HttpResponse<String> put(String request, String job, int index, long seed, byte[] png, String trace)
            throws Exception {
        return http.send(putRequest(request, job, index, seed, png, trace).header("Authorization",
                TestInternalToken.AUTHORIZATION).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The worker's PUT /internal/images, not yet signed. */
    private HttpRequest.Builder putRequest(String request, String job, int index, long seed, byte[] png, String trace) {
        String metadata = """
                {"requestId":"%s","jobId":"%s","imageIndex":%d,"user":"alice","seed":%d,"prompt":"a cat",
                 "negativePrompt":"","parametersJson":"{\\"steps\\": 20}","infotext":"a cat\\nSteps: 20",
                 "model":"mini","workerId":"w1","pipelineSeconds":1.5,"peakMemoryBytes":1024}"""
                .formatted(request, job, index, seed);
        Multipart body = new Multipart()
                .part("metadata", null, "application/json", metadata.getBytes(StandardCharsets.UTF_8))
                .part("image", "image.png", "image/png", png);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri("/internal/images"))
                .header("Content-Type", body.contentType())
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        if (trace != null) {
            builder.header("X-Request-Id", trace);
        }
        return builder;
    }

    private HttpRequest.Builder signed(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", TestInternalToken.AUTHORIZATION);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static byte[] png(int rgb) throws Exception {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** A multipart/form-data body, enough for the worker-to-storage protocol. */
    static final class Multipart {
        private final String boundary = "sdfleet-" + UUID.randomUUID();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Multipart part(String name, String filename, String type, byte[] content) {
            String header = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                    + (filename == null ? "" : "; filename=\"" + filename + "\"") + "\r\nContent-Type: " + type + "\r\n\r\n";
            out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
            out.writeBytes(content);
            out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            return this;
        }

        String contentType() {
            return "multipart/form-data; boundary=" + boundary;
        }

        byte[] bytes() {
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            copy.writeBytes(out.toByteArray());
            copy.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return copy.toByteArray();
        }
    }
}

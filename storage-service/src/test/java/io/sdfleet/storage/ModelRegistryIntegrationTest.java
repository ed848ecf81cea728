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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model registry against real PostgreSQL and a real S3 API server: the reference mini checkpoint (69 MB, so a
 * multipart upload) and a LoRA go in streamed, are registered once with A1111's hashes, listed by kind, come back
 * byte for byte, refuse path tricks, and are deleted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {StorageApplication.CONFIG_NAME,
        TestInternalToken.PROPERTY})
class ModelRegistryIntegrationTest {

    private static final Path REFERENCE = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
    private static final JsonMapper JSON = JsonMapper.builder().build();

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
        registry.add("sdfleet.s3.models-bucket", () -> "models-test");
    }

    @Test
    void uploadsOnceListsDownloadsAndDeletes() throws Exception {
        Path checkpoint = REFERENCE.resolve("mini_sd15_fp32.safetensors");
        byte[] bytes = Files.readAllBytes(checkpoint);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        String legacy = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Arrays.copyOfRange(bytes, 0x100000, 0x110000))).substring(0, 8);

        HttpResponse<String> first = upload("checkpoint", "mini.safetensors", checkpoint);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        JsonNode entry = JSON.readTree(first.body());
        assertThat(entry.get("sha256").asString()).isEqualTo(sha);
        assertThat(entry.get("modelHash").asString()).isEqualTo(sha.substring(0, 10));
        assertThat(entry.get("legacyHash").asString()).isEqualTo(legacy);
        assertThat(entry.get("sizeBytes").asLong()).isEqualTo(bytes.length);

        HttpResponse<String> again = upload("checkpoint", "mini-copy.safetensors", checkpoint);
        assertThat(again.statusCode()).as("same bytes, one entry").isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("name").asString()).isEqualTo("mini.safetensors");
        assertThat(jdbc.sql("SELECT count(*) FROM models").query(Long.class).single()).isEqualTo(1);

        Path lora = REFERENCE.resolve("features/extra/oracle_lora.safetensors");
        assertThat(upload("lora", "oracle_lora.safetensors", lora).statusCode()).isEqualTo(201);
        Path other = Files.write(dir.resolve("other.safetensors"), new byte[] {1, 2, 3});
        assertThat(upload("lora", "oracle_lora.safetensors", other).statusCode())
                .as("a taken name with other bytes").isEqualTo(409);

        JsonNode loras = JSON.readTree(get("/internal/models?kind=lora").body());
        assertThat(loras).hasSize(1);
        assertThat(loras.get(0).get("name").asString()).isEqualTo("oracle_lora.safetensors");
        assertThat(JSON.readTree(get("/internal/models").body())).hasSize(2);
        assertThat(JSON.readTree(get("/internal/models/" + sha).body()).get("kind").asString()).isEqualTo("checkpoint");

        HttpResponse<byte[]> content = http.send(HttpRequest.newBuilder(uri("/internal/models/" + sha + "/content"))
                .header("Authorization", TestInternalToken.AUTHORIZATION).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.headers().firstValue("X-Sdfleet-Sha256")).hasValue(sha);
        assertThat(Arrays.equals(content.body(), bytes)).as("bytes come back identical").isTrue();

        assertThat(send("DELETE", "/internal/models/" + sha).statusCode()).isEqualTo(204);
        assertThat(get("/internal/models/" + sha).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/internal/models/" + sha).statusCode()).isEqualTo(404);
    }

    @Test
    void upscalerAndFaceRestorerFilesAreKindsOfTheirA1111Folders() throws Exception {
        Path esrgan = REFERENCE.resolve("restore/models/4x-small-oldarch.pth");
        Path realEsrgan = REFERENCE.resolve("restore/models/RealESRGAN_x4plus_small.pth");
        assertThat(upload("esrgan", "4x-UltraSharp.pth", esrgan).statusCode()).isEqualTo(201);
        assertThat(upload("realesrgan", "RealESRGAN_x4plus.pth", realEsrgan).statusCode()).isEqualTo(201);
        assertThat(upload("realesrgan", "RealESRGAN_x4plus.pt", realEsrgan).statusCode())
                .as("A1111 reads only .pth there").isEqualTo(400);
        Path face = Files.write(dir.resolve("face.pth"), new byte[] {4, 5, 6});
        assertThat(upload("gfpgan", "GFPGANv1.4.pth", face).statusCode()).isEqualTo(201);
        Path codeformer = Files.write(dir.resolve("codeformer.pth"), new byte[] {7, 8, 9});
        assertThat(upload("codeformer", "codeformer-v0.1.0.pth", codeformer).statusCode()).isEqualTo(201);
        JsonNode listed = JSON.readTree(get("/internal/models?kind=esrgan").body());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("name").asString()).isEqualTo("4x-UltraSharp.pth");
        assertThat(JSON.readTree(get("/internal/models?kind=realesrgan").body()).get(0).get("name").asString())
                .isEqualTo("RealESRGAN_x4plus.pth");
        for (JsonNode e : JSON.readTree(get("/internal/models").body())) {
            if (!List.of("checkpoint", "lora").contains(e.get("kind").asString())) {
                assertThat(send("DELETE", "/internal/models/" + e.get("sha256").asString()).statusCode()).isEqualTo(204);
            }
        }
    }

    @Test
    void refusesPathTricksBadKindsAndEmptyFiles() throws Exception {
        Path lora = REFERENCE.resolve("features/extra/oracle_lora.safetensors");
        for (String name : new String[] {"../evil.safetensors", "a/b.safetensors", "..\\x.safetensors", ".hidden.safetensors",
                "C:x.safetensors", "x..safetensors", "no-extension", "x.exe", "a b.safetensors"}) {
            HttpResponse<String> response = upload("lora", name, lora);
            assertThat(response.statusCode()).as(name + ": " + response.body()).isEqualTo(400);
        }
        assertThat(upload("script", "x.safetensors", lora).statusCode()).isEqualTo(400);
        Path empty = Files.createFile(dir.resolve("empty.pt"));
        assertThat(upload("embedding", "empty.pt", empty).statusCode()).isEqualTo(400);
        assertThat(jdbc.sql("SELECT count(*) FROM models WHERE kind = 'embedding'").query(Long.class).single()).isZero();
    }

    private HttpResponse<String> upload(String kind, String name, Path file) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/internal/models?kind=" + kind + "&name="
                        + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                        .header("Authorization", TestInternalToken.AUTHORIZATION)
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofFile(file)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path);
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path))
                .header("Authorization", TestInternalToken.AUTHORIZATION).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}

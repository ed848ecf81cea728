package io.sdfleet.launcher;

import io.sdfleet.gateway.auth.Secrets;
import io.sdfleet.launcher.models.ModelsCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Models as fleet assets against the real fleet (PostgreSQL, RabbitMQ, S3Proxy, a worker on the engine): an admin
 * uploads the mini checkpoint with {@code ./sd models upload} and a LoRA over HTTP; A1111's listings show them with
 * A1111's hashes; a generation naming them runs on a worker whose models folder is empty (it pulls, verifies,
 * generates); a file whose stored bytes were tampered with is refused by its hash.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelsEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String adminKey = Secrets.newApiKey();
    private Path reference;
    private Path s3Dir;
    private Path cacheDir;
    private Path workerModels;
    private TestFleet testFleet;
    private Fleet fleet;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        reference = TestFleet.reference();
        s3Dir = dir.resolve("s3"); // TestFleet's S3Proxy keeps its buckets there
        Path gatewayModels = Files.createDirectories(dir.resolve("gateway-models"));
        workerModels = Files.createDirectories(dir.resolve("worker-models"));
        cacheDir = dir.resolve("model-cache");
        testFleet = TestFleet.start(dir, "models", 1, o -> new Fleet.Options(gatewayModels, o.defaultModel(), o.tokenizer(),
                0, 1).withAdminKey(adminKey).withWorkerModels(workerModels, cacheDir));
        fleet = testFleet.fleet;
    }

    @AfterAll
    void stop() throws Exception {
        if (testFleet != null) {
            testFleet.close();
        }
    }

    @Test
    void uploadedModelsAreListedPulledVerifiedAndUsed() throws Exception {
        Path checkpoint = reference.resolve("mini_sd15_fp32.safetensors");
        Path lora = reference.resolve("features/extra/oracle_lora.safetensors");
        String sha = sha256(checkpoint);

        // ./sd models upload, as an admin
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        Map<String, String> env = Map.of("SDFLEET_URL", gateway(""), "SDFLEET_ADMIN_KEY", adminKey);
        assertThat(ModelsCli.run(List.of("upload", "--kind", "checkpoint", checkpoint.toString()), env, print, print))
                .as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(JSON.readTree(out.toString(StandardCharsets.UTF_8)).get("sha256").asString()).isEqualTo(sha);
        assertThat(ModelsCli.run(List.of("upload", "--kind", "checkpoint", checkpoint.toString()), env, print, print))
                .as("the same file again is the same entry").isZero();

        // only admins upload
        assertThat(send("POST", "/api/v1/admin/users", "{\"name\": \"bob\"}", adminKey).statusCode()).isEqualTo(201);
        String bob = JSON.readTree(send("POST", "/api/v1/admin/users/bob/keys", "{}", adminKey).body()).get("key").asString();
        HttpResponse<String> refused = upload("lora", "oracle_lora.safetensors", lora, bob);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(upload("lora", "../oracle_lora.safetensors", lora, adminKey).statusCode()).isEqualTo(400);
        HttpResponse<String> loraUpload = upload("lora", "oracle_lora.safetensors", lora, adminKey);
        assertThat(loraUpload.statusCode()).as(loraUpload.body()).isEqualTo(201);

        // A1111's listings, read from the registry
        JsonNode models = JSON.readTree(send("GET", "/sdapi/v1/sd-models", null, bob).body());
        assertThat(models).hasSize(1);
        assertThat(models.get(0).get("title").asString()).isEqualTo("mini_sd15_fp32.safetensors [" + sha.substring(0, 10) + "]");
        assertThat(models.get(0).get("model_name").asString()).isEqualTo("mini_sd15_fp32");
        assertThat(models.get(0).get("hash").asString()).isEqualTo(sha.substring(0, 10));
        assertThat(models.get(0).get("sha256").asString()).isEqualTo(sha);
        JsonNode loras = JSON.readTree(send("GET", "/sdapi/v1/loras", null, bob).body());
        assertThat(loras).hasSize(1);
        assertThat(loras.get(0).get("name").asString()).isEqualTo("oracle_lora");
        assertThat(loras.get(0).has("metadata")).isTrue();
        JsonNode embeddings = JSON.readTree(send("GET", "/sdapi/v1/embeddings", null, bob).body());
        assertThat(embeddings.has("loaded")).isTrue();
        assertThat(embeddings.has("skipped")).isTrue();
        assertThat(send("POST", "/sdapi/v1/refresh-checkpoints", "{}", bob).statusCode()).isEqualTo(200);

        // a generation naming them, on a worker whose models folder is empty. The oracle LoRA belongs to the features'
        // mini_sd1 model, not to mini_sd15_fp32: weight 0 makes the engine find and open the pulled file without
        // merging it (merging it into this checkpoint crashes natively in torch's in-place add).
        assertThat(workerModels).isEmptyDirectory();
        HttpResponse<String> generated = send("POST", "/sdapi/v1/txt2img", """
                {"prompt": "a fox <lora:oracle_lora:0>", "seed": 7, "steps": 2, "width": 64, "height": 64,
                 "override_settings": {"sd_model_checkpoint": "mini_sd15_fp32.safetensors [%s]"}}"""
                .formatted(sha.substring(0, 10)), bob);
        assertThat(generated.statusCode()).as(generated.body()).isEqualTo(200);
        JsonNode result = JSON.readTree(generated.body());
        assertThat(result.get("images")).hasSize(1);
        assertThat(result.get("info").asString()).contains("Model hash: " + sha.substring(0, 10));
        Path cached = cacheDir.resolve("local-worker-1/checkpoint").resolve(sha).resolve("mini_sd15_fp32.safetensors");
        assertThat(cached).isRegularFile();
        assertThat(sha256(cached)).isEqualTo(sha);
        assertThat(cacheDir.resolve("local-worker-1/lora").resolve(sha256(lora)).resolve("oracle_lora.safetensors"))
                .isRegularFile();
        assertThat(workerModels).isEmptyDirectory();
    }

    @Test
    void aTamperedDownloadIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("tampered.safetensors"), "original bytes".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> uploaded = upload("checkpoint", "tampered.safetensors", file, adminKey);
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
        JsonNode entry = JSON.readTree(uploaded.body());
        // S3Proxy's filesystem backend keeps each object as a file: change the stored bytes behind the registry's back.
        Path object = s3Dir.resolve("sdfleet-models").resolve(entry.get("objectKey").asString());
        assertThat(object).isRegularFile();
        Files.writeString(object, "tampered bytes");

        HttpResponse<String> generated = send("POST", "/sdapi/v1/txt2img", """
                {"prompt": "x", "steps": 1, "width": 64, "height": 64,
                 "override_settings": {"sd_model_checkpoint": "tampered"}}""", adminKey);
        assertThat(generated.statusCode()).isEqualTo(500);
        assertThat(generated.body()).contains("sha256", entry.get("sha256").asString());
        try (Stream<Path> files = Files.walk(cacheDir)) {
            assertThat(files.filter(p -> p.getFileName().toString().equals("tampered.safetensors")).toList())
                    .as("nothing unverified is kept").isEmpty();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    private String gateway(String path) {
        return "http://127.0.0.1:" + fleet.gatewayPort() + path;
    }

    private HttpResponse<String> upload(String kind, String name, Path file, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(gateway("/api/v1/models?kind=" + kind + "&name="
                        + URLEncoder.encode(name, StandardCharsets.UTF_8))))
                .header("Authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway(path)))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.sdfleet.gateway.a1111;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.diffusion.checkpoint.ModelHash;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.gateway.GatewayApplication;
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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every A1111 route a client reads at start-up answers in A1111's shape (keys and JSON types), against a local models
 * folder: the listings, refresh-* with a JSON null body, the idle and queued progress states, /memory without and
 * with a GPU worker, and extras / interrogate problems naming their field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {GatewayApplication.CONFIG_NAME, TestInternalToken.PROPERTY})
class A1111RoutesTest {

    private static final String PREFIX = "test-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final Messaging.Names NAMES = new Messaging.Names(PREFIX);
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();
    private static final Path REFERENCE = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
    private static TestDatabase database;
    private static Path models;
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
        models = Files.createTempDirectory("sdfleet-a1111-routes");
        Files.createSymbolicLink(models.resolve("mini_sd15_fp32.safetensors"),
                REFERENCE.resolve("mini_sd15_fp32.safetensors").toAbsolutePath());
        Path embeddings = Files.createDirectories(models.resolve("embeddings"));
        Files.copy(REFERENCE.resolve("features/extra/orcemb.pt"), embeddings.resolve("orcemb.pt"));
        Files.copy(REFERENCE.resolve("features/extra/orcemb.safetensors"), embeddings.resolve("orcemb_st.safetensors"));
        new SafetensorsWriter().putFloats("clip_g", new long[] {2, 1280}, new float[2 * 1280])
                .putFloats("clip_l", new long[] {2, 768}, new float[2 * 768]).write(embeddings.resolve("xl_emb.safetensors"));
        new SafetensorsWriter().putFloats("emb_params", new long[] {768}, new float[768]).write(embeddings.resolve("one.safetensors"));
        Files.writeString(embeddings.resolve("broken.pt"), "not a pickle");
        // upscaler and face-restorer files in A1111's folders (their bytes are not read to list them)
        Files.createDirectories(models.resolve("ESRGAN/sharp"));
        Files.writeString(models.resolve("ESRGAN/sharp/4x-UltraSharp.pth"), "x");
        Files.writeString(models.resolve("ESRGAN/ESRGAN_4x.safetensors"), "x");
        Files.writeString(models.resolve("ESRGAN/notes.txt"), "not a model");
        Files.createDirectories(models.resolve("RealESRGAN"));
        Files.writeString(models.resolve("RealESRGAN/RealESRGAN_x4plus.pth"), "x");
        Files.writeString(models.resolve("RealESRGAN/RealESRGAN_x2plus.pth"), "x");
        Files.writeString(models.resolve("RealESRGAN/someone-elses.pth"), "x");
        Files.createDirectories(models.resolve("Codeformer"));
        Files.writeString(models.resolve("Codeformer/codeformer-v0.1.0.pth"), "x");
        Files.createDirectories(models.resolve("GFPGAN"));
        Files.writeString(models.resolve("GFPGAN/detection_Resnet50_Final.pth"), "x"); // facexlib's, not GFPGAN
        registry.add("sdfleet.messaging.prefix", () -> PREFIX);
        registry.add("spring.rabbitmq.host", BROKER::host);
        registry.add("spring.rabbitmq.port", BROKER::port);
        registry.add("sdfleet.gateway.models-dir", models::toString);
        registry.add("sdfleet.gateway.default-model", () -> "mini_sd15_fp32.safetensors");
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

    @Test
    void sdModelsHashLocalFilesAsA1111() throws Exception {
        String sha = ModelHash.computeSha256(REFERENCE.resolve("mini_sd15_fp32.safetensors"));
        JsonNode list = getJson("/sdapi/v1/sd-models");
        assertThat(list).hasSize(1);
        JsonNode m = list.get(0);
        // A1111's fields, in A1111's order, then sdfleet's type (which A1111 clients ignore)
        assertThat(names(m)).containsExactly("title", "model_name", "hash", "sha256", "filename", "config", "type");
        assertThat(m.get("title").asString()).isEqualTo("mini_sd15_fp32.safetensors [" + sha.substring(0, 10) + "]");
        assertThat(m.get("hash").asString()).isEqualTo(sha.substring(0, 10));
        assertThat(m.get("sha256").asString()).isEqualTo(sha);
        assertThat(m.get("model_name").asString()).isEqualTo("mini_sd15_fp32");
        assertThat(m.get("config").isNull()).isTrue();
        assertThat(m.get("type").asString()).isEqualTo("sd1");
    }

    @Test
    void embeddingsCarryIntegerShapeAndVectors() throws Exception {
        JsonNode e = getJson("/sdapi/v1/embeddings");
        assertThat(names(e)).containsExactly("loaded", "skipped");
        JsonNode loaded = e.get("loaded");
        assertThat(names(loaded)).containsExactlyInAnyOrder("orcemb", "orcemb_st", "xl_emb", "one");
        for (JsonNode item : loaded) {
            assertThat(names(item)).contains("step", "sd_checkpoint", "sd_checkpoint_name", "shape", "vectors");
            assertThat(item.get("shape").isInt()).as(item.toString()).isTrue();
            assertThat(item.get("vectors").isInt()).as(item.toString()).isTrue();
            assertThat(item.get("shape").asInt()).isPositive();
            assertThat(item.get("vectors").asInt()).isPositive();
        }
        assertThat(loaded.get("xl_emb").get("shape").asInt()).isEqualTo(1280 + 768);
        assertThat(loaded.get("xl_emb").get("vectors").asInt()).isEqualTo(2);
        assertThat(loaded.get("one").get("shape").asInt()).isEqualTo(768);
        assertThat(loaded.get("one").get("vectors").asInt()).isEqualTo(1);
        assertThat(loaded.get("orcemb").get("shape").asInt()).isEqualTo(loaded.get("orcemb_st").get("shape").asInt());
        assertThat(e.get("skipped").isObject()).isTrue();
    }

    @Test
    void upscalerAndOtherListingsHaveA1111sShape() throws Exception {
        JsonNode upscalers = getJson("/sdapi/v1/upscalers");
        List<String> upscalerNames = new ArrayList<>();
        for (JsonNode u : upscalers) {
            assertThat(names(u)).containsExactly("name", "model_name", "model_path", "model_url", "scale");
            assertThat(u.get("scale").isNumber()).isTrue();
            assertThat(u.get("model_url").isNull()).isTrue();
            upscalerNames.add(u.get("name").asString());
        }
        // A1111's order: the built-ins, then by lower-cased name
        assertThat(upscalerNames).containsExactly("None", "Lanczos", "Nearest", "4x-UltraSharp", "ESRGAN_4x",
                "R-ESRGAN 2x+", "R-ESRGAN 4x+");
        assertThat(upscalers.get(0).toString()).isEqualTo(
                "{\"name\":\"None\",\"model_name\":null,\"model_path\":null,\"model_url\":null,\"scale\":4.0}");
        JsonNode ultraSharp = upscalers.get(3);
        assertThat(ultraSharp.get("model_name").asString()).isEqualTo("ESRGAN_4x");
        assertThat(ultraSharp.get("model_path").asString())
                .isEqualTo(models.resolve("ESRGAN/sharp/4x-UltraSharp.pth").toAbsolutePath().toString());
        JsonNode realEsrgan = upscalers.get(6);
        assertThat(realEsrgan.get("model_name").isNull()).isTrue();
        assertThat(realEsrgan.get("model_path").asString()).as("A1111's data_path keeps the release URL")
                .isEqualTo("https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth");
        assertThat(upscalers.get(5).get("scale").asDouble()).isEqualTo(2.0);
        JsonNode realesrganModels = getJson("/sdapi/v1/realesrgan-models");
        assertThat(realesrganModels.toString()).isEqualTo("[{\"name\":\"R-ESRGAN 4x+\",\"path\":"
                + "\"https://github.com/xinntao/Real-ESRGAN/releases/download/v0.1.0/RealESRGAN_x4plus.pth\",\"scale\":4},"
                + "{\"name\":\"R-ESRGAN 2x+\",\"path\":"
                + "\"https://github.com/xinntao/Real-ESRGAN/releases/download/v0.2.1/RealESRGAN_x2plus.pth\",\"scale\":2}]");
        assertThat(getJson("/sdapi/v1/face-restorers").toString())
                .as("CodeFormer's file is there; GFPGAN's folder has no GFPGAN file")
                .isEqualTo("[{\"name\":\"CodeFormer\",\"cmd_dir\":null}]");
        JsonNode latent = getJson("/sdapi/v1/latent-upscale-modes");
        assertThat(latent.toString()).isEqualTo("[{\"name\":\"Latent\"},{\"name\":\"Latent (nearest)\"}]");
        for (String path : List.of("/script-info", "/extensions", "/sd-modules")) {
            JsonNode list = getJson("/sdapi/v1" + path);
            assertThat(list.isArray()).as(path).isTrue();
            assertThat(list).as(path).isEmpty();
        }
        assertThat(getJson("/sdapi/v1/scripts").toString()).isEqualTo("{\"txt2img\":[],\"img2img\":[]}");

        JsonNode flags = getJson("/sdapi/v1/cmd-flags");
        assertThat(flags.get("api").asBoolean()).isTrue();
        assertThat(flags.get("nowebui").asBoolean()).isTrue();
        assertThat(flags.get("listen").isBoolean()).isTrue();
        assertThat(flags.get("port").asInt()).isEqualTo(port);
        assertThat(flags.get("api_auth").isNull()).as("authentication is off here").isTrue();
        assertThat(flags.has("cors_allow_origins")).isTrue();
        assertThat(flags.get("ckpt_dir").asString()).isEqualTo(models.toAbsolutePath().normalize().toString());
        assertThat(flags.get("lora_dir").asString()).endsWith("Lora");
        assertThat(flags.get("no_hashing").asBoolean()).isFalse();

        for (String path : List.of("/unload-checkpoint", "/reload-checkpoint")) {
            HttpResponse<String> r = post("/sdapi/v1" + path, "");
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).isEqualTo("{}");
        }
    }

    @Test
    void refreshRoutesAnswerJsonNull() throws Exception {
        for (String path : List.of("/refresh-checkpoints", "/refresh-vae", "/refresh-loras", "/refresh-embeddings")) {
            HttpResponse<String> r = post("/sdapi/v1" + path, "");
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).as(path).isEqualTo("null");
            assertThat(r.headers().firstValue("Content-Type").orElse("")).as(path).startsWith("application/json");
            assertThat(JSON.readTree(r.body()).isNull()).isTrue();
        }
    }

    @Test
    void progressHasA1111sFullStateIdleAndQueued() throws Exception {
        JsonNode idle = getJson("/sdapi/v1/progress?skip_current_image=true");
        assertThat(names(idle)).containsExactly("progress", "eta_relative", "state", "current_image", "textinfo");
        assertThat(idle.get("state").toString()).isEqualTo("{\"skipped\":false,\"interrupted\":false,"
                + "\"stopping_generation\":false,\"job\":\"\",\"job_count\":0,\"job_timestamp\":\"0\",\"job_no\":0,"
                + "\"sampling_step\":0,\"sampling_steps\":0}");
        assertThat(idle.get("progress").asDouble()).isZero();
        assertThat(idle.get("current_image").isNull()).isTrue();

        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri("/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "carol")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a fox\", \"steps\": 2, \"width\": 64, \"height\": 64}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();
        JsonNode queued = JSON.readTree(http.send(HttpRequest.newBuilder(uri("/sdapi/v1/progress?force_task_id=" + id))
                .header("X-Sdfleet-User", "carol").build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode state = queued.get("state");
        assertThat(names(state)).containsExactly("skipped", "interrupted", "stopping_generation", "job", "job_count",
                "job_timestamp", "job_no", "sampling_step", "sampling_steps");
        assertThat(state.get("job").asString()).isEqualTo(id);
        assertThat(state.get("job_timestamp").asString()).matches("\\d{14}");
    }

    @Test
    void memoryFollowsA1111WithoutAndWithAGpuWorker() throws Exception {
        JsonNode none = getJson("/sdapi/v1/memory");
        assertThat(names(none)).containsExactly("ram", "cuda", "workers");
        assertThat(names(none.get("ram"))).containsExactly("free", "used", "total");
        assertThat(none.get("ram").get("total").asLong()).isPositive();
        assertThat(none.get("ram").get("used").asLong()).isPositive();
        assertThat(none.get("cuda").toString()).isEqualTo("{\"error\":\"unavailable\"}");

        WorkerHeartbeat beat = new WorkerHeartbeat("w-routes-1", "gpu(0)", 24_000_000_000L, 20_000_000_000L,
                6_000_000_000L, List.of("mini"), null, Instant.now());
        channel.basicPublish(NAMES.heartbeatsExchange(), "", new AMQP.BasicProperties.Builder()
                .contentType("application/json").build(), JSON.writeValueAsBytes(beat));
        JsonNode with = none;
        for (int i = 0; i < 50 && with.get("workers").isEmpty(); i++) {
            Thread.sleep(100);
            with = getJson("/sdapi/v1/memory");
        }
        JsonNode cuda = with.get("cuda");
        assertThat(names(cuda)).containsExactly("system", "active", "allocated", "reserved", "inactive", "events");
        assertThat(cuda.get("system").get("free").asLong()).isEqualTo(20_000_000_000L);
        assertThat(cuda.get("system").get("used").asLong()).isEqualTo(4_000_000_000L);
        assertThat(cuda.get("system").get("total").asLong()).isEqualTo(24_000_000_000L);
        assertThat(cuda.get("active").get("peak").asLong()).isEqualTo(6_000_000_000L);
        assertThat(names(cuda.get("events"))).containsExactlyInAnyOrder("retries", "oom");
        assertThat(with.get("workers").get("w-routes-1").get("device").asString()).isEqualTo("gpu(0)");
    }

    @Test
    void extrasNameTheirFieldAndInterrogateIsRefused() throws Exception {
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", png);
        String image = java.util.Base64.getEncoder().encodeToString(png.toByteArray());
        HttpResponse<String> single = post("/sdapi/v1/extra-single-image",
                "{\"image\": \"" + image + "\", \"upscaler_1\": \"SwinIR 4x\", \"gfpgan_visibility\": 0.5}");
        assertThat(single.statusCode()).as(single.body()).isEqualTo(422);
        assertThat(single.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(fields(single)).as("no GFPGAN file nor facexlib's in this fleet")
                .containsExactlyInAnyOrder("upscaler_1", "gfpgan_visibility");
        assertThat(single.body()).contains("SwinIR 4x", "R-ESRGAN 4x+", "GFPGAN/GFPGANv1.4.pth");

        HttpResponse<String> batch = post("/sdapi/v1/extra-batch-images", "{\"imageList\": []}");
        assertThat(batch.statusCode()).isEqualTo(400);
        assertThat(fields(batch)).containsExactly("imageList");

        HttpResponse<String> range = post("/sdapi/v1/extra-single-image", "{\"image\": \"" + image + "\","
                + " \"codeformer_weight\": 1.5}");
        assertThat(range.statusCode()).isEqualTo(400);
        assertThat(fields(range)).contains("codeformer_weight");

        HttpResponse<String> interrogate = post("/sdapi/v1/interrogate", "{\"image\": \"x\", \"model\": \"deepdanbooru\"}");
        assertThat(interrogate.statusCode()).isEqualTo(422);
        assertThat(fields(interrogate)).containsExactly("model");
        assertThat(interrogate.body()).contains("deepdanbooru");

        assertThat(post("/sdapi/v1/extra-single-image", "{not json").statusCode()).isEqualTo(400);
        assertThat(post("/sdapi/v1/extra-single-image", "[1]").statusCode()).isEqualTo(400);
        assertThat(post("/sdapi/v1/interrogate", "[1]").statusCode()).isEqualTo(400);
    }

    private List<String> fields(HttpResponse<String> problem) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : JSON.readTree(problem.body()).get("errors")) {
            out.add(e.get("field").asString());
        }
        return out;
    }

    private static List<String> names(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.propertyNames().forEach(out::add);
        return out;
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}

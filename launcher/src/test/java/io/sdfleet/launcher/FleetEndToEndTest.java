package io.sdfleet.launcher;

import io.sdfleet.infra.TestDatabase;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.imageio.ImageIO;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole fleet end to end: gateway → RabbitMQ (the machine's, else an embedded Qpid broker) → scheduler → workers
 * running the engine on the reference mini model → storage-service → S3 (S3Proxy, started here) and PostgreSQL (the
 * machine's, else an embedded one).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet test;
    private TestDatabase database;
    private Fleet fleet;
    private Path reference;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        test = TestFleet.start(dir, "e2e", 2, options -> options);
        fleet = test.fleet;
        database = test.database;
        reference = test.reference;
    }

    @AfterAll
    void stop() throws Exception {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void a1111Txt2imgWithBatchSize2AndBatchCount3YieldsSixStoredImages() throws Exception {
        HttpResponse<String> response = post("/sdapi/v1/txt2img", """
                {"prompt": "a lighthouse, (stormy sea:1.2)", "negative_prompt": "blurry", "seed": 4242,
                 "sampler_name": "Euler a", "steps": 3, "width": 64, "height": 64, "batch_size": 2, "n_iter": 3,
                 "cfg_scale": 7, "tiling": false, "enable_hr": false, "restore_faces": false, "styles": [],
                 "alwayson_scripts": {}, "script_args": [], "eta": 0, "s_noise": 1,
                 "override_settings": {"sd_model_checkpoint": "mini_sd15_fp32"}}""", "alice");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("images")).hasSize(6);
        assertThat(body.get("images").get(0).asString()).doesNotStartWith("data:");
        byte[] png = Base64.getDecoder().decode(body.get("images").get(5).asString());
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
        assertThat(body.get("parameters").get("batch_size").asInt()).isEqualTo(2);
        JsonNode info = JSON.readTree(body.get("info").asString());
        List<Long> seeds = new ArrayList<>();
        info.get("all_seeds").forEach(s -> seeds.add(s.asLong()));
        assertThat(seeds).containsExactly(4242L, 4243L, 4244L, 4245L, 4246L, 4247L);
        assertThat(info.get("infotexts").get(3).asString()).contains("Seed: 4245", "Sampler: Euler a", "Size: 64x64");

        HttpResponse<String> pngInfo = post("/sdapi/v1/png-info",
                "{\"image\": \"data:image/png;base64," + body.get("images").get(1).asString() + "\"}", "alice");
        JsonNode parsed = JSON.readTree(pngInfo.body()).get("parameters");
        assertThat(parsed.get("Seed").asString()).isEqualTo("4243");
        assertThat(parsed.get("Negative prompt").asString()).isEqualTo("blurry");

        List<Long> stored = storedSeeds("alice");
        assertThat(stored).containsExactly(4242L, 4243L, 4244L, 4245L, 4246L, 4247L);
    }

    @Test
    void asyncApiStreamsEventsInOrderAndListsImages() throws Exception {
        HttpResponse<String> accepted = post("/api/v1/generations", """
                {"prompt": "a fox", "seed": 7, "steps": 2, "width": 64, "height": 64, "batch_size": 1, "n_iter": 2}""", "bob");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();

        List<String> events = new ArrayList<>();
        StringBuilder queuedData = new StringBuilder();
        HttpResponse<InputStream> stream = http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id + "/events"))
                .header("X-Sdfleet-User", "bob").build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith("event:")) {
                    events.add(line.substring(6).trim());
                } else if (line.startsWith("data:") && events.size() == 1) {
                    queuedData.append(line);
                }
            }
        }
        assertThat(events.get(0)).isEqualTo("queued");
        assertThat(queuedData.toString()).as("the queued event tells the queue position").contains("\"position\":");
        assertThat(events.get(1)).isEqualTo("started");
        assertThat(events).contains("step", "image_stored");
        assertThat(events.get(events.size() - 1)).isEqualTo("finished");
        assertThat(events.stream().filter("image_stored"::equals)).hasSize(2);
        assertThat(events.indexOf("step")).isLessThan(events.indexOf("image_stored"));

        JsonNode status = JSON.readTree(get("/api/v1/generations/" + id, "bob").body());
        assertThat(status.get("state").asString()).isEqualTo("finished");
        assertThat(status.get("images").get(1).get("status").asString()).isEqualTo("stored");
        HttpResponse<byte[]> image = http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id + "/images/1"))
                .header("X-Sdfleet-User", "bob").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(image.body()).startsWith(0x89, 'P', 'N', 'G');
        assertThat(get("/api/v1/generations/" + id, "mallory").statusCode()).as("other users cannot see it").isEqualTo(404);
        assertThat(post("/api/v1/generations/" + id + "/skip", "{}", "mallory").statusCode()).isEqualTo(404);
        assertThat(post("/api/v1/generations/" + id + "/skip", "{}", "bob").statusCode()).as("nothing runs").isEqualTo(409);
    }

    @Test
    void img2imgInpaintingAndTheTxt2imgExtrasRunThroughTheFleet() throws Exception {
        String init = Base64.getEncoder().encodeToString(Files.readAllBytes(
                reference.resolve("features/extra/init_64.png")));
        String mask = Base64.getEncoder().encodeToString(Files.readAllBytes(
                reference.resolve("features/extra/mask_64.png")));
        HttpResponse<String> inpaint = post("/sdapi/v1/img2img", """
                {"prompt": "a dog", "seed": 99, "steps": 4, "width": 64, "height": 64, "batch_size": 2,
                 "denoising_strength": 0.75, "inpainting_fill": 1, "inpaint_full_res": false, "mask_blur": 0,
                 "init_images": ["data:image/png;base64,%s"], "mask": "%s"}""".formatted(init, mask), "gina");
        assertThat(inpaint.statusCode()).as(inpaint.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(inpaint.body());
        assertThat(body.get("images")).hasSize(2);
        assertThat(body.get("parameters").get("init_images").isNull()).isTrue();
        JsonNode info = JSON.readTree(body.get("info").asString());
        assertThat(info.get("infotexts").get(1).asString()).contains("Seed: 100", "Denoising strength: 0.75", "Mask blur: 0");
        assertThat(storedSeeds("gina")).containsExactly(99L, 100L);
        try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT parameters::text FROM gateway.generations WHERE user_name = 'gina'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("the images are in storage once; the request carries references")
                    .contains("sdfleet-input:").doesNotContain(init.substring(0, 64)).doesNotContain(mask.substring(0, 64));
        }

        HttpResponse<String> extras = post("/sdapi/v1/txt2img", """
                {"prompt": "a castle AND a moat :0.5", "seed": 5, "steps": 3, "width": 64, "height": 64, "n_iter": 2,
                 "tiling": true, "enable_hr": true, "hr_scale": 1.5, "hr_second_pass_steps": 2,
                 "denoising_strength": 0.5, "subseed": 11, "subseed_strength": 0.2, "eta": 0.5,
                 "sampler_name": "Euler a", "override_settings": {"randn_source": "NV"}}""", "hank");
        assertThat(extras.statusCode()).as(extras.body()).isEqualTo(200);
        JsonNode extrasInfo = JSON.readTree(JSON.readTree(extras.body()).get("info").asString());
        assertThat(extrasInfo.get("all_seeds").toString()).isEqualTo("[5,5]");
        assertThat(extrasInfo.get("all_subseeds").toString()).isEqualTo("[11,12]");
        assertThat(extrasInfo.get("infotexts").get(1).asString()).contains("Tiling: True", "Hires upscale: 1.5",
                "Variation seed: 12", "RNG: NV", "Eta: 0.5");
        byte[] png = Base64.getDecoder().decode(JSON.readTree(extras.body()).get("images").get(0).asString());
        assertThat(ImageIO.read(new ByteArrayInputStream(png)).getWidth()).isEqualTo(96);
    }

    @Test
    void invalidAndUnsupportedRequestsAreRefusedByFieldAndQueueNothing() throws Exception {
        HttpResponse<String> invalid = post("/sdapi/v1/txt2img", """
                {"prompt": "x", "width": 32, "steps": 0, "sampler_name": "Eulerr"}""", "carol");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.headers().firstValue("content-type").orElse("")).contains("application/problem+json");
        assertThat(invalid.body()).contains("\"width\"", "\"steps\"", "\"sampler_name\"");

        HttpResponse<String> unsupported = post("/sdapi/v1/txt2img", """
                {"prompt": "x", "restore_faces": true, "width": 64, "height": 64}""", "carol");
        assertThat(unsupported.statusCode()).isEqualTo(422);
        assertThat(unsupported.body()).contains("restore_faces");
        assertThat(storedSeeds("carol")).isEmpty();
    }

    @Test
    void aWorkerStoppedMidJobLosesNothingAndDuplicatesNothing() throws Exception {
        HttpResponse<String> accepted = post("/api/v1/generations", """
                {"prompt": "a long one", "seed": 900, "steps": 150, "width": 64, "height": 64}""", "dave");
        String id = JSON.readTree(accepted.body()).get("id").asString();
        String victim = null;
        for (int i = 0; i < 600 && victim == null; i++) {
            Thread.sleep(50);
            victim = fleet.busyWorker().orElse(null);
        }
        assertThat(victim).as("a worker picked the job up").isNotNull();
        Thread.sleep(300); // well inside the job
        fleet.stopWorker(victim);

        JsonNode status = null;
        for (int i = 0; i < 1200; i++) {
            status = JSON.readTree(get("/api/v1/generations/" + id, "dave").body());
            if (!status.get("state").asString().matches("queued|running")) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(status.get("state").asString()).isEqualTo("finished");
        assertThat(storedSeeds("dave")).containsExactly(900L);
        try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
             ResultSet rs = c.createStatement().executeQuery("SELECT worker_id FROM images WHERE user_name = 'dave'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("finished by the surviving worker").isNotEqualTo(victim);
        }
    }

    @Test
    void interruptStopsOnlyTheCallersOwnWorkAndMemoryReportsEachWorker() throws Exception {
        JsonNode memory = null;
        for (int i = 0; i < 50 && (memory == null || memory.get("workers").isEmpty()); i++) {
            memory = JSON.readTree(get("/sdapi/v1/memory", "erin").body());
            Thread.sleep(100);
        }
        assertThat(memory.get("workers").size()).isGreaterThanOrEqualTo(1);
        assertThat(memory.get("ram").get("total").asLong()).isPositive();

        String id = JSON.readTree(post("/api/v1/generations", """
                {"prompt": "a slow one", "seed": 31, "steps": 300, "width": 64, "height": 64}""", "erin").body())
                .get("id").asString();
        String state = "queued";
        for (int i = 0; i < 300 && !state.equals("running"); i++) {
            Thread.sleep(50);
            state = JSON.readTree(get("/api/v1/generations/" + id, "erin").body()).get("state").asString();
        }
        assertThat(state).isEqualTo("running");

        post("/sdapi/v1/interrupt", "{}", "mallory");
        assertThat(JSON.readTree(get("/api/v1/generations/" + id, "erin").body()).get("state").asString())
                .as("someone else's interrupt does not touch it").isEqualTo("running");
        post("/sdapi/v1/interrupt", "{}", "erin");
        assertThat(JSON.readTree(get("/api/v1/generations/" + id, "erin").body()).get("state").asString()).isEqualTo("cancelled");

        boolean idle = false;
        for (int i = 0; i < 100 && !idle; i++) {
            Thread.sleep(100);
            idle = fleet.busyWorker().isEmpty();
        }
        assertThat(idle).as("the worker stopped the cancelled job").isTrue();
        assertThat(storedSeeds("erin")).isEmpty();
    }

    @Test
    void skipDropsTheRunningBatchAndTheRequestFinishesWithTheRest() throws Exception {
        CompletableFuture<HttpResponse<String>> call = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/sdapi/v1/txt2img", """
                        {"prompt": "two batches", "seed": 70, "steps": 150, "width": 64, "height": 64, "n_iter": 2}""", "frank");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        boolean running = false;
        for (int i = 0; i < 300 && !running; i++) {
            Thread.sleep(50);
            JsonNode progress = JSON.readTree(get("/sdapi/v1/progress", "frank").body());
            running = progress.get("state").path("sampling_step").asInt(0) > 0;
        }
        assertThat(running).isTrue();
        post("/sdapi/v1/skip", "{}", "frank");

        HttpResponse<String> response = call.get(300, TimeUnit.SECONDS); // the second batch's 150 steps, on a loaded 2-core machine
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("images")).hasSize(1);
        assertThat(JSON.readTree(body.get("info").asString()).get("all_seeds")).hasSize(1);
        assertThat(storedSeeds("frank")).hasSize(1);
    }

    private List<Long> storedSeeds(String user) throws Exception {
        List<Long> seeds = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
             var statement = c.prepareStatement("SELECT seed FROM images WHERE user_name = ? ORDER BY image_index")) {
            statement.setString(1, user);
            try (ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    seeds.add(rs.getLong(1));
                }
            }
        }
        return seeds;
    }

    private HttpResponse<String> post(String path, String body, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("X-Sdfleet-User", user).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("X-Sdfleet-User", user).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fleet.gatewayPort() + path);
    }
}

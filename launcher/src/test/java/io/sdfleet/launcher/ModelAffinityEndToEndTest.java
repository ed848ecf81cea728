package io.sdfleet.launcher;

import io.sdfleet.scheduler.planning.WorkerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler prefers workers that already hold the requested model, through the whole fleet: two workers that
 * keep one model loaded each, two checkpoints ("alpha" and "beta", copies of the reference mini model under two
 * names, so each is its own model to load). Once each worker holds one, every job lands on the worker holding its
 * model; placed by chance (or by the broker's turn-taking between consumers), 8 jobs would all land right once in
 * 256 runs (or never, for the sequence used).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelAffinityEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet fleet;
    private BrokerEvents events;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Path models = Files.createDirectories(dir.resolve("models"));
        Path mini = TestFleet.reference().resolve("mini_sd15_fp32.safetensors");
        Files.copy(mini, models.resolve("alpha.safetensors"));
        Files.copy(mini, models.resolve("beta.safetensors"));
        fleet = TestFleet.start(dir, "affinity", 2, o -> new Fleet.Options(models, "alpha.safetensors", o.tokenizer(),
                        0, 2)
                .withWorkerProperty("sdfleet.worker.model-cache-size", 1) // one loaded model per worker
                .withWorkerProperty("sdfleet.worker.preview-every", 0));
        events = BrokerEvents.follow(fleet.prefix);
    }

    @AfterAll
    void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void jobsGoToTheWorkerThatHoldsTheirModel() throws Exception {
        WorkerRegistry registry = fleet.fleet.scheduler().getBean(WorkerRegistry.class);

        // Warm-up: the first alpha job loads alpha on some worker X.
        String first = submit("alpha", 4);
        Await.until(() -> events.finishedJobs(first).size() == 1, 300);
        String x = events.finishedOn(first).iterator().next();
        Await.until(() -> registry.idleHolders("alpha.safetensors", Instant.now()).contains(x), 60);

        // A long alpha job goes to X (the idle holder); beta, sent while X is busy, to the other worker Y.
        String longAlpha = submit("alpha", 40);
        Await.until(() -> !events.startedWorkers(longAlpha + "-0").isEmpty(), 120);
        assertThat(events.startedWorkers(longAlpha + "-0")).as("the long alpha job").containsExactly(x);
        String firstBeta = submit("beta", 4);
        Await.until(() -> events.finishedJobs(firstBeta).size() == 1 && events.finishedJobs(longAlpha).size() == 1, 300);
        String y = events.finishedOn(firstBeta).iterator().next();
        assertThat(y).isNotEqualTo(x);

        // Requests one at a time, each sent when both workers are idle as far as the scheduler knows. Runs of the same
        // model: the broker alone would hand the shared queue's jobs to its consumers in turn.
        List<String> sequence = List.of("alpha", "alpha", "beta", "beta", "alpha", "beta", "beta", "alpha");
        List<String> placements = new ArrayList<>();
        int right = 0;
        for (String model : sequence) {
            Await.until(() -> registry.idleHolders("alpha.safetensors", Instant.now()).contains(x)
                    && registry.idleHolders("beta.safetensors", Instant.now()).contains(y), 60);
            String id = submit(model, 4);
            Await.until(() -> events.finishedJobs(id).size() == 1, 300);
            String ranOn = events.finishedOn(id).iterator().next();
            placements.add(model + "→" + ranOn);
            if (ranOn.equals(model.equals("alpha") ? x : y)) {
                right++;
            }
        }
        System.out.printf("AFFINITY: alpha held by %s, beta by %s; %d of 8 jobs ran on their model's holder"
                + " (no model load): %s%n", x, y, right, placements);
        assertThat(right).as(placements.toString()).isEqualTo(8);
    }

    private String submit(String model, int steps) throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + fleet.fleet.gatewayPort() + "/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "affinity")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"prompt": "a %s", "seed": 7, "steps": %d, "width": 64, "height": 64,
                         "override_settings": {"sd_model_checkpoint": "%s"}}""".formatted(model, steps, model)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).get("id").asString();
    }

}

package io.sdfleet.launcher;

import io.micrometer.core.instrument.MeterRegistry;
import io.sdfleet.scheduler.stall.WorkerHealth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The other side of {@link DeadlineOverrunEndToEndTest}: the same 2 s deadline and a job that takes several times
 * that on a CPU, but with the default progress-stall window. The worker keeps reporting steps, so the job is slow,
 * not stuck: it runs once, to the end, and no fault counts against the worker. Was: a CPU worker's default A1111
 * request overran the GPU-sized deadline, ran twice, and three of them drained the worker (issue 14).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SlowWorkerEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet fleet;
    private BrokerEvents events;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        fleet = TestFleet.start(dir, "slow", 1, o -> o.withWorkerProperty("sdfleet.worker.preview-every", 0), Map.of(
                "sdfleet.scheduler.stall.deadline-base-seconds", 1,
                "sdfleet.scheduler.stall.deadline-seconds-per-step", 0.001,
                "sdfleet.scheduler.stall.deadline-min-seconds", 2,
                "sdfleet.scheduler.stall.check-interval-ms", 250));
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
    void aJobThatKeepsReportingStepsRunsOnceToTheEndAndBlamesNoOne() throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri("/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "patient")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"prompt": "a long one", "seed": 99, "steps": 150, "width": 128, "height": 128}"""))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();
        String worker = fleet.fleet.workerIds().get(0);
        MeterRegistry meters = fleet.fleet.scheduler().getBean(MeterRegistry.class);
        WorkerHealth health = fleet.fleet.scheduler().getBean(WorkerHealth.class);

        Await.until(() -> !events.startedWorkers(id + "-0").isEmpty(), 120);
        long started = System.nanoTime();
        Await.until(() -> events.finishedJobs(id).size() == 1, 300);
        double took = (System.nanoTime() - started) / 1e9;
        Await.until(() -> state(id).equals("finished"), 30);
        assertThat(took).as("the job really ran past its 2 s deadline").isGreaterThan(2.0);
        assertThat(overruns(meters)).as("never taken back").isZero();
        assertThat(health.faultsOf(worker)).as("no fault against the worker").isZero();
        System.out.printf("SLOW: deadline 2 s; the job ran %.1f s, reporting steps, and was left to finish%n", took);
        fleet.assertDrill("slow job past its deadline, still reporting steps (left running)", id, 1);
    }

    private static double overruns(MeterRegistry meters) {
        var counter = meters.find("sdfleet.scheduler.jobs.taken.back").tag("reason", "deadline-overrun").counter();
        return counter == null ? 0 : counter.count();
    }

    private String state(String id) {
        try {
            JsonNode status = JSON.readTree(http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id))
                    .header("X-Sdfleet-User", "patient").build(), HttpResponse.BodyHandlers.ofString()).body());
            return status.get("state").asString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fleet.fleet.gatewayPort() + path);
    }
}

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
 * A job that overruns its deadline, through the whole fleet: one worker that keeps heart-beating, deadlines shrunk
 * to 2 s, and a 150-step 128² job that takes several times that on a CPU. The scheduler takes the attempt back (counted,
 * blamed on the worker) and requeues it; the first attempt still finishes, and exactly one image is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadlineOverrunEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet fleet;
    private BrokerEvents events;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        fleet = TestFleet.start(dir, "overrun", 1, o -> o.withWorkerProperty("sdfleet.worker.preview-every", 0), Map.of(
                "sdfleet.scheduler.stall.deadline-base-seconds", 1,
                "sdfleet.scheduler.stall.deadline-seconds-per-step", 0.001,
                "sdfleet.scheduler.stall.deadline-min-seconds", 2,
                "sdfleet.scheduler.stall.check-interval-ms", 250,
                // a job that still reports steps is left running; here any gap between steps counts as stuck
                "sdfleet.scheduler.stall.progress-stall-seconds", 0.01));
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
    void anOverrunningJobIsTakenBackAndRequeuedAndEndsWithExactlyItsImage() throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri("/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "slow")
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
        Await.until(() -> overruns(meters) >= 1, 60);
        double takenAfter = (System.nanoTime() - started) / 1e9;
        assertThat(events.finishedJobs(id)).as("taken back while still running").isEmpty();
        Await.until(() -> health.faultsOf(worker) == 1, 10); // the overrun is the worker's fault

        Await.until(() -> events.finishedJobs(id).size() == 1, 300);
        Await.until(() -> state(id).equals("finished"), 30);
        System.out.printf("OVERRUN: deadline 2 s; the running attempt was taken back and requeued %.1f s after it"
                + " started; the request finished with its image%n", takenAfter);
        fleet.assertDrill("job overran its deadline (requeued, first attempt finished)", id, 1);
        assertThat(overruns(meters)).as("the requeued copy never ran long enough to overrun").isEqualTo(1.0);
    }

    private static double overruns(MeterRegistry meters) {
        var counter = meters.find("sdfleet.scheduler.jobs.taken.back").tag("reason", "deadline-overrun").counter();
        return counter == null ? 0 : counter.count();
    }

    private String state(String id) {
        try {
            JsonNode status = JSON.readTree(http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id))
                    .header("X-Sdfleet-User", "slow").build(), HttpResponse.BodyHandlers.ofString()).body());
            return status.get("state").asString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fleet.fleet.gatewayPort() + path);
    }

}

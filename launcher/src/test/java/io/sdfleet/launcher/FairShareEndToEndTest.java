package io.sdfleet.launcher;

import io.sdfleet.worker.heartbeat.HeartbeatPublisher;
import io.sdfleet.worker.job.Drain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fair shares, priorities and stalled work through the whole fleet (two workers, the reference mini model), measured
 * through the events on the broker: which job started (first progress) and finished when, on which worker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FairShareEndToEndTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet testFleet;
    private Fleet fleet;
    private BrokerEvents events;
    private final Map<String, String> userOfRequest = new ConcurrentHashMap<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Map<String, Object> knobs = new LinkedHashMap<>();
        // Small stall constants: silent for 3 s = lost heartbeats; one worker fault drains. Deadlines stay generous
        // (DeadlineOverrunEndToEndTest covers overruns) so that a slow shared CI machine does not requeue healthy jobs.
        knobs.put("sdfleet.scheduler.stall.heartbeat-lost-seconds", 3);
        knobs.put("sdfleet.scheduler.stall.check-interval-ms", 250);
        knobs.put("sdfleet.scheduler.stall.faults-to-drain", 1);
        knobs.put("sdfleet.scheduler.stall.deadline-base-seconds", 1);
        knobs.put("sdfleet.scheduler.stall.deadline-seconds-per-step", 0.01);
        knobs.put("sdfleet.scheduler.stall.deadline-min-seconds", 300);
        testFleet = TestFleet.start(dir, "fair", 2, o -> o.withWorkerProperty("sdfleet.worker.preview-every", 0), knobs);
        fleet = testFleet.fleet;
        events = BrokerEvents.follow(testFleet.prefix);
    }

    @AfterAll
    void stop() throws Exception {
        if (events != null) {
            events.close();
        }
        if (testFleet != null) {
            testFleet.close();
        }
    }

    @Test
    @Order(1)
    void aNewcomersSingleJobStartsAheadOfAHeavyUsersBacklog() throws Exception {
        String heavy = submit("heavy", 50, 0, 4);
        Await.until(() -> events.finishedJobs(heavy).size() >= 4, 300);
        // Fairness is the scheduler's choice once it holds the newcomer's job: jobs it released while the request
        // was still on its way through the gateway and the broker are not a fairness question, so the clock starts
        // when the scheduler has put light's job in its fair queue (its planned-requests counter moves right after).
        var planned = fleet.scheduler().getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .get("sdfleet.scheduler.requests.planned").counter();
        double plannedBefore = planned.count();
        AtomicLong queued = new AtomicLong();
        Thread watcher = Thread.ofPlatform().daemon().start(() -> {
            while (queued.get() == 0 && !Thread.currentThread().isInterrupted()) {
                if (planned.count() > plannedBefore) {
                    queued.set(System.nanoTime());
                }
                LockSupport.parkNanos(200_000);
            }
        });
        String light = submit("light", 1, 0, 4);
        Await.until(() -> events.finishedJobs(light).size() == 1, 300);
        watcher.interrupt();
        assertThat(queued.get()).as("light's request was planned").isNotZero();

        long lightStart = events.starts(light).values().iterator().next();
        long heavyStartedBetween = events.starts(heavy).values().stream().filter(t -> t > queued.get() && t < lightStart).count();
        long heavyLeft = 50 - events.starts(heavy).values().stream().filter(t -> t < lightStart).count();
        System.out.printf("FAIRNESS newcomer: heavy jobs started after light's job reached the fair queue and before light's job: %d"
                + " (heavy jobs still waiting then: %d)%n", heavyStartedBetween, heavyLeft);
        System.out.println("FAIRNESS newcomer timeline (ms after light's job reached the fair queue): " + events.seen()
                .stream().filter(e -> e.atNanos() > queued.get() - 1_000_000_000L && e.atNanos() <= lightStart + 1)
                .filter(e -> e.kind().equals("job-finished") || events.starts(e.requestId()).get(e.jobId()) == e.atNanos())
                .map(e -> "%+d %s %s %s".formatted((e.atNanos() - queued.get()) / 1_000_000,
                        e.requestId().equals(light) ? "light" : "heavy", e.kind().equals("job-finished") ? "finished"
                                : "started", e.workerId())).toList());
        // The next release is light's; only the heavy job already waiting on the jobs queue (queue margin 1) may
        // start first.
        assertThat(heavyStartedBetween).isLessThanOrEqualTo(1);
        assertThat(heavyLeft).as("light did not wait for the backlog").isGreaterThan(30);
        cancel(heavy, "heavy");
    }

    @Test
    @Order(2)
    void equalLoadsGetEqualThroughputAndPriorityOrdersAUsersOwnRequests() throws Exception {
        String u1 = submit("equal-1", 30, 0, 4);
        String u2 = submit("equal-2", 30, 0, 4);
        Await.until(() -> events.finishedJobs(u1).size() == 30 && events.finishedJobs(u2).size() == 30, 600);

        // Both users are backlogged until the first of them is done: compare what each got until then.
        long end = Math.min(lastFinish(u1), lastFinish(u2));
        long done1 = events.finishTimes(u1).stream().filter(t -> t <= end).count();
        long done2 = events.finishTimes(u2).stream().filter(t -> t <= end).count();
        double ratio = (double) Math.min(done1, done2) / Math.max(done1, done2);
        System.out.printf("FAIRNESS equal load: while both were backlogged equal-1 finished %d jobs, equal-2 %d"
                + " (ratio %.3f)%n", done1, done2, ratio);
        assertThat(ratio).isGreaterThanOrEqualTo(0.9);

        // One user's own requests: the later, higher-priority one starts before the earlier ones' remaining jobs.
        String first = submit("prio", 6, 0, 4);
        String urgent = submit("prio", 1, 5, 4);
        Await.until(() -> events.finishedJobs(first).size() == 6 && events.finishedJobs(urgent).size() == 1, 300);
        long urgentStart = events.starts(urgent).values().iterator().next();
        long firstBefore = events.starts(first).values().stream().filter(t -> t < urgentStart).count();
        System.out.printf("PRIORITY: jobs of the earlier priority-0 request started before the priority-5 one: %d of 6%n",
                firstBefore);
        assertThat(firstBefore).isLessThanOrEqualTo(3);
    }

    @Test
    @Order(3)
    void aWorkerThatStopsHeartBeatingIsDrainedWithoutACopyOfItsJob() throws Exception {
        HttpResponse<String> accepted = post("/api/v1/generations", """
                {"prompt": "a stall", "seed": 321, "steps": 200, "width": 64, "height": 64}""", "stalled");
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();
        String jobId = id + "-0";
        Await.until(() -> !events.startedWorkers(jobId).isEmpty(), 120);
        String victim = events.startedWorkers(jobId).iterator().next();
        fleet.worker(victim).orElseThrow().getBean(HeartbeatPublisher.class).pause(true);
        long paused = System.nanoTime();

        // Silence is a worker fault (one drains it here), but not a reason to run a second copy: a worker that died
        // gets its job back from the broker (and the next worker hands it to the scheduler); this one is alive.
        Await.until(() -> fleet.worker(victim).orElseThrow().getBean(Drain.class).drained(), 60);
        System.out.printf("STALL: %s stopped heart-beating and was drained %.1f s later%n", victim,
                (System.nanoTime() - paused) / 1e9);
        String rescuer = fleet.workerIds().stream().filter(w -> !w.equals(victim)).findFirst().orElseThrow();

        // The victim was alive all along: its attempt finishes, no copy ran, and one image exists.
        Await.until(() -> events.seen().stream().anyMatch(s -> s.kind().equals("job-finished")
                && s.jobId().equals(jobId)), 300);
        assertThat(events.startedWorkers(jobId)).containsExactly(victim);
        Thread.sleep(500); // let the gateway hear the finish
        JsonNode status = JSON.readTree(get("/api/v1/generations/" + id, "stalled").body());
        assertThat(status.get("state").asString()).isEqualTo("finished");
        assertThat(status.get("images_done").asInt()).isEqualTo(1);
        assertThat(status.get("images")).hasSize(1);
        try (Connection c = DriverManager.getConnection(testFleet.database.url(),
                testFleet.database.user(), testFleet.database.password());
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT count(*), min(seed) FROM images WHERE user_name = 'stalled'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("stored once").isEqualTo(1);
            assertThat(rs.getLong(2)).isEqualTo(321L);
        }
        fleet.worker(victim).orElseThrow().getBean(HeartbeatPublisher.class).pause(false);
        // Drained and idle: its liveness probe fails, so Kubernetes would restart it; the rescuer stays live.
        Await.until(() -> liveness(victim) == 503, 30);
        assertThat(liveness(rescuer)).isEqualTo(200);

        // The drained worker takes no new jobs: the next request runs on the rescuer alone.
        String after = submit("after-drain", 2, 0, 4);
        Await.until(() -> events.finishedJobs(after).size() == 2, 300);
        assertThat(events.seen().stream().filter(s -> s.requestId().equals(after)).map(BrokerEvents.Seen::workerId).distinct())
                .containsExactly(rescuer);
    }

    private String submit(String user, int jobs, int priority, int steps) throws Exception {
        HttpResponse<String> accepted = post("/api/v1/generations", """
                {"prompt": "share %s", "seed": 1, "steps": %d, "width": 64, "height": 64, "batch_size": 1,
                 "n_iter": %d, "priority": %d}""".formatted(user, steps, jobs, priority), user);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        String id = JSON.readTree(accepted.body()).get("id").asString();
        userOfRequest.put(id, user);
        return id;
    }

    private void cancel(String id, String user) throws Exception {
        http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id)).header("X-Sdfleet-User", user).DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(2000); // let the workers drop what is left
    }

    private long lastFinish(String requestId) {
        return events.finishTimes(requestId).stream().mapToLong(Long::longValue).max().orElseThrow();
    }


    private HttpResponse<String> post(String path, String body, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .header("X-Sdfleet-User", user).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int liveness(String worker) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fleet.httpPorts().get(worker)
                    + "/actuator/health/liveness")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String path, String user) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).header("X-Sdfleet-User", user).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fleet.gatewayPort() + path);
    }
}

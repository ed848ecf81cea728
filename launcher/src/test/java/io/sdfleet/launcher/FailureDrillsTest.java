package io.sdfleet.launcher;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.infra.TestServers;
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
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failure drills on the whole fleet (real PostgreSQL, RabbitMQ, S3Proxy; workers on the mini model): each breaks
 * one part mid-run and checks that the request ends with exactly the expected images — none lost, none duplicated.
 * Every drill prints one row of the table the closing note reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailureDrillsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet test;
    private Fleet fleet;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        test = TestFleet.start(dir, "drill", 2, options -> options);
        fleet = test.fleet;
    }

    @AfterAll
    void stop() throws Exception {
        if (test != null) {
            test.close();
        }
    }

    @Test
    @Order(4) // last: it leaves one worker
    void workerKilledMidJob() throws Exception {
        String id = submit("kill", 2, 100);
        String victim = null;
        for (int i = 0; i < 600 && victim == null; i++) {
            Thread.sleep(50);
            victim = fleet.busyWorker().orElse(null);
        }
        assertThat(victim).isNotNull();
        Thread.sleep(300);
        fleet.stopWorker(victim);
        awaitState(id, "kill", "finished");
        test.assertDrill("worker killed mid-job", id, 2);
    }

    @Test
    @Order(2)
    void storageDownWhileAWorkerFinishes() throws Exception {
        String id = submit("storage", 1, 40);
        awaitState(id, "storage", "running");
        try (BrokerEvents events = BrokerEvents.follow(test.prefix)) {
            fleet.stopStorage();
            // the bad moment: the job's sampling is over while storage is down, so its upload can only succeed
            // through the worker's retry (a drill that restarted storage before that would prove nothing)
            for (int i = 0; i < 1200 && !events.sampledToTheEnd(id); i++) {
                Thread.sleep(100);
            }
            assertThat(events.sampledToTheEnd(id)).as("the job sampled to its last step while storage was down").isTrue();
            Thread.sleep(1500); // at least one refused upload and the 1 s backoff after it
            assertThat(state(id, "storage")).as("nothing is stored, nothing acknowledged early").isEqualTo("running");
            assertThat(test.storedRows(id)).as("no image row while storage is down").isZero();
            fleet.startStorage();
        }
        awaitState(id, "storage", "finished");
        test.assertDrill("storage-service down while a worker finishes", id, 1);
    }

    @Test
    @Order(1)
    void gatewayRestartedWhileAnA1111CallWaits() throws Exception {
        CompletableFuture<Integer> call = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/sdapi/v1/txt2img", """
                        {"prompt": "a waiting call", "seed": 12, "steps": 40, "width": 64, "height": 64, "n_iter": 2}""",
                        "restart").statusCode();
            } catch (Exception e) {
                return -1; // the connection is cut by the restart, as a crash would
            }
        });
        String id = null;
        for (int i = 0; i < 600 && id == null; i++) {
            Thread.sleep(100);
            JsonNode list = JSON.readTree(get("/api/v1/generations", "restart").body());
            if (!list.isEmpty()) {
                id = list.get(0).get("id").asString();
            }
        }
        assertThat(id).as("the A1111 request was accepted").isNotNull();
        Thread.sleep(500); // well inside the run
        fleet.restartGateway();
        assertThat(call.get()).as("the waiting call was cut off").isNotEqualTo(200);
        awaitState(id, "restart", "finished");
        test.assertDrill("gateway restarted while an A1111 call waits", id, 2);
    }

    @Test
    @Order(3)
    void aJobThatAlwaysFailsIsDeadLetteredAfterThreeAttempts() throws Exception {
        HttpResponse<String> accepted = post("/api/v1/generations", """
                {"prompt": "a broken one <lora:no-such-lora:1>", "seed": 1, "steps": 2, "width": 64, "height": 64}""",
                "dead");
        String id = JSON.readTree(accepted.body()).get("id").asString();
        awaitState(id, "dead", "failed");
        JsonNode status = JSON.readTree(get("/api/v1/generations/" + id, "dead").body());
        assertThat(status.toString()).contains("3 attempts", "no-such-lora");
        TestServers.Endpoint broker = TestServers.broker();
        try (Connection c = broker.connect(); Channel ch = c.createChannel()) {
            assertThat(ch.messageCount(new Messaging.Names(test.prefix).jobsDeadLetterQueue())).isEqualTo(1);
        }
        test.assertDrill("a job that always fails (dead-lettered after 3 attempts)", id, 0);
    }

    private String submit(String user, int images, int steps) throws Exception {
        HttpResponse<String> accepted = post("/api/v1/generations", """
                {"prompt": "a drill", "seed": 40, "steps": %d, "width": 64, "height": 64, "n_iter": %d}"""
                .formatted(steps, images), user);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).get("id").asString();
    }

    private String state(String id, String user) throws Exception {
        return JSON.readTree(get("/api/v1/generations/" + id, user).body()).get("state").asString();
    }

    private void awaitState(String id, String user, String wanted) throws Exception {
        String state = null;
        for (int i = 0; i < 6000; i++) { // generous: other builds may share the machine's two cores
            try {
                state = state(id, user);
            } catch (Exception restarting) {
                state = "unreachable";
            }
            if (state.equals(wanted)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("request " + id + " is " + state + ", not " + wanted);
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

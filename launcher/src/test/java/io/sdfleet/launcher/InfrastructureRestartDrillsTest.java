package io.sdfleet.launcher;

import io.sdfleet.infra.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drills that restart the machine's own RabbitMQ and PostgreSQL under a running fleet: the services reconnect and
 * the request ends with exactly its images. They need those servers to be the machine's (not embedded) and their
 * control commands ({@code rabbitmqctl}, {@code pg_ctlcluster}) to be usable; otherwise they are skipped, saying why.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InfrastructureRestartDrillsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet test;
    private Fleet fleet;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeFalse(TestServers.embeddedForced(), "embedded servers forced: nothing of the machine's to restart");
        test = TestFleet.start(dir, "restart", 1, options -> options);
        fleet = test.fleet;
    }

    @AfterAll
    void stop() throws Exception {
        if (test != null) {
            test.close();
        }
    }

    @Test
    void rabbitMqRestartedDuringARun() throws Exception {
        Assumptions.assumeTrue(onPath("rabbitmqctl") && run(List.of("rabbitmqctl", "status")),
                "rabbitmqctl cannot control the machine's RabbitMQ here");
        String id = submit("broker", 2, 60);
        awaitState(id, "broker", "running");
        assertThat(test.storedRows(id)).as("the bad moment: the request is not done when the broker goes").isLessThan(2);
        assertThat(run(List.of("rabbitmqctl", "stop_app"))).isTrue();
        Thread.sleep(3000);
        assertThat(run(List.of("rabbitmqctl", "start_app"))).isTrue();
        Timestamp back = Timestamp.from(Instant.now());
        awaitState(id, "broker", "finished");
        assertThat(test.storedSince(id, back)).as("work went on after the broker came back").isPositive();
        test.assertDrill("RabbitMQ stopped and restarted during a run", id, 2);
    }

    @Test
    void postgresRestartedDuringARun() throws Exception {
        String version = Files.isDirectory(Path.of("/etc/postgresql"))
                ? new File("/etc/postgresql").list()[0] : null;
        Assumptions.assumeTrue(version != null && onPath("pg_ctlcluster")
                        && run(List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "status")),
                "pg_ctlcluster cannot control the machine's PostgreSQL here");
        String id = submit("postgres", 2, 60);
        awaitState(id, "postgres", "running");
        assertThat(test.storedRows(id)).as("the bad moment: the request is not done when PostgreSQL goes").isLessThan(2);
        assertThat(run(List.of("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"))).isTrue();
        Timestamp back = Timestamp.from(Instant.now());
        awaitState(id, "postgres", "finished");
        assertThat(test.storedSince(id, back)).as("work went on after PostgreSQL came back").isPositive();
        test.assertDrill("PostgreSQL restarted during a run", id, 2);
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", command)) || Files.isExecutable(Path.of("/usr/bin", command));
    }

    private static boolean run(List<String> command) throws Exception {
        List<String> resolved = new ArrayList<>(command);
        for (String dir : List.of("/usr/sbin", "/usr/bin")) {
            if (Files.isExecutable(Path.of(dir, command.get(0)))) {
                resolved.set(0, dir + "/" + command.get(0));
                break;
            }
        }
        Process p = new ProcessBuilder(resolved).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private String submit(String user, int images, int steps) throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri("/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", user)
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"prompt": "a drill", "seed": 40, "steps": %d, "width": 64, "height": 64, "n_iter": %d}"""
                        .formatted(steps, images))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        return JSON.readTree(accepted.body()).get("id").asString();
    }

    private void awaitState(String id, String user, String wanted) throws Exception {
        String state = null;
        for (int i = 0; i < 6000; i++) {
            try {
                state = JSON.readTree(http.send(HttpRequest.newBuilder(uri("/api/v1/generations/" + id))
                        .header("X-Sdfleet-User", user).build(), HttpResponse.BodyHandlers.ofString()).body())
                        .get("state").asString();
            } catch (Exception unavailable) {
                state = "unavailable";
            }
            if (wanted.equals(state)) { // "running" must be seen running: a finished request proves nothing
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("request " + id + " is " + state + ", not " + wanted);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + fleet.gatewayPort() + path);
    }
}

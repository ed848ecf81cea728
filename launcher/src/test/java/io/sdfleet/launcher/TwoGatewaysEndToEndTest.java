package io.sdfleet.launcher;

import io.sdfleet.infra.RabbitMqNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two gateway replicas in front of one fleet (every service its own JVM, authentication on), as every rolling
 * update of the chart runs them. Was (issue 14, point 1): each replica counted concurrent jobs, answered
 * {@code /progress} and ended sync waiters from its own memory, so a user got twice their limit, a cancel on one
 * replica left the other's A1111 caller waiting for an hour, and {@code /progress} named another request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TwoGatewaysEndToEndTest {

    /** Long enough on the mini model that a request is still queued or running when the test looks. */
    private static final String LONG = "{\"prompt\": \"%s\", \"steps\": 400, \"width\": 64, \"height\": 64}";

    private DrillRig rig;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(RabbitMqNode.available(), "no rabbitmq-server on this machine to run a node of our own");
        rig = DrillRig.start(dir, 1, 1, 2);
    }

    @AfterAll
    void stop() throws Exception {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void theConcurrentJobsLimitHoldsAcrossReplicas() throws Exception {
        rig.createUser("lim", 2);
        List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int gateway = i % 2;
            posts.add(CompletableFuture.supplyAsync(() -> post("lim", gateway, "/api/v1/generations", LONG.formatted("limit"))));
        }
        List<HttpResponse<String>> answers = posts.stream().map(CompletableFuture::join).toList();
        List<String> accepted = answers.stream().filter(r -> r.statusCode() == 202)
                .map(r -> DrillRig.JSON.readTree(r.body()).get("id").asString()).toList();
        assertThat(accepted).as(answers.stream().map(r -> r.statusCode() + " " + r.body()).toList().toString())
                .hasSize(2);
        assertThat(answers).filteredOn(r -> r.statusCode() != 202).allMatch(r -> r.statusCode() == 429);

        for (String id : accepted) { // cancelled on the replica that did not accept it, for all it knows
            assertThat(rig.send("lim", 1, "DELETE", "/api/v1/generations/" + id, null).statusCode()).isEqualTo(204);
        }
        HttpResponse<String> again = post("lim", 0, "/api/v1/generations", LONG.formatted("after"));
        assertThat(again.statusCode()).as("the cancelled requests no longer count: " + again.body()).isEqualTo(202);
        rig.send("lim", 0, "DELETE", "/api/v1/generations/" + DrillRig.JSON.readTree(again.body()).get("id").asString(), null);
    }

    @Test
    void aSyncCallerOnOneReplicaIsAnsweredWhenTheOtherInterruptsAndProgressAgrees() throws Exception {
        rig.createUser("int", 10);
        CompletableFuture<HttpResponse<String>> waiting = CompletableFuture.supplyAsync(
                () -> post("int", 0, "/sdapi/v1/txt2img", LONG.formatted("waiting")));
        String id = CrashDrillsTest.awaitMoment("the caller's request on /progress of the other replica", () -> {
            JsonNode progress = DrillRig.JSON.readTree(rig.send("int", 1, "GET", "/sdapi/v1/progress", null).body());
            String job = progress.path("state").path("job").asString("");
            return job.isEmpty() ? null : job;
        });
        JsonNode listed = DrillRig.JSON.readTree(rig.send("int", 0, "GET", "/api/v1/generations", null).body());
        assertThat(listed.get(0).get("id").asString()).as("/progress on replica 2 names the request replica 1 took")
                .isEqualTo(id);

        assertThat(rig.send("int", 1, "POST", "/sdapi/v1/interrupt", "{}").statusCode()).isEqualTo(200);
        HttpResponse<String> answer = waiting.get(30, TimeUnit.SECONDS);
        assertThat(answer.body()).contains("CANCELLED");
        JsonNode row = DrillRig.JSON.readTree(rig.send("int", 0, "GET", "/api/v1/generations/" + id, null).body());
        assertThat(row.get("state").asString()).isEqualTo("cancelled");
        JsonNode idle = DrillRig.JSON.readTree(rig.send("int", 0, "GET", "/sdapi/v1/progress", null).body());
        assertThat(idle.path("state").path("job").asString()).isEmpty();
    }

    @Test
    void anEventStreamOnTheOtherReplicaFollowsTheRequestToItsEnd() throws Exception {
        rig.createUser("sse", 10);
        HttpResponse<String> accepted = post("sse", 0, "/api/v1/generations",
                "{\"prompt\": \"stream\", \"steps\": 4, \"width\": 64, \"height\": 64, \"n_iter\": 2}");
        assertThat(accepted.statusCode()).isEqualTo(202);
        String id = DrillRig.JSON.readTree(accepted.body()).get("id").asString();
        HttpRequest events = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.gatewayPort(1)
                        + "/api/v1/generations/" + id + "/events"))
                .header("Authorization", "Bearer " + rig.keys.get("sse")).timeout(Duration.ofSeconds(300)).build();
        List<String> names = new ArrayList<>();
        try (Stream<String> lines = rig.http.send(events, HttpResponse.BodyHandlers.ofLines()).body()) {
            lines.filter(l -> l.startsWith("event:")).map(l -> l.substring(6).trim())
                    .takeWhile(name -> {
                        names.add(name);
                        return !name.equals("finished") && !name.equals("failed") && !name.equals("cancelled");
                    }).forEach(name -> { });
        }
        assertThat(names).contains("finished");
        assertThat(names.stream().filter(n -> n.equals("image_stored")).count()).isEqualTo(2);
    }

    private HttpResponse<String> post(String user, int gateway, String path, String body) {
        try {
            return rig.send(user, gateway, "POST", path, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

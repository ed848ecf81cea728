package io.sdfleet.launcher;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.infra.TestServers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operations across the fleet, with no worker so that the released job stays on the jobs queue for a test consumer:
 * the caller's X-Request-Id comes back in the response and rides on the job message the scheduler made from the
 * request; every service (scheduler on its management port) serves its meters to the fleet's internal credential and
 * its health probes to anyone; and no port of a local fleet can be reached from another machine.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FleetOperationsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private TestFleet testFleet;
    private Fleet fleet;
    private Messaging.Names names;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        testFleet = TestFleet.start(dir, "ops", 0, o -> o);
        fleet = testFleet.fleet;
        names = new Messaging.Names(testFleet.prefix);
    }

    @AfterAll
    void stop() throws Exception {
        if (testFleet != null) {
            testFleet.close();
        }
    }

    @Test
    void theCallersRequestIdComesBackAndRidesOnTheJobMessage() throws Exception {
        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(uri(fleet.gatewayPort(), "/api/v1/generations"))
                .header("Content-Type", "application/json").header("X-Sdfleet-User", "olga")
                .header("X-Request-Id", "fleet-trace-0001")
                .POST(HttpRequest.BodyPublishers.ofString("""
                        {"prompt": "a heron", "seed": 3, "steps": 2, "width": 64, "height": 64, "n_iter": 2}"""))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(accepted.headers().firstValue("X-Request-Id")).as(accepted.headers().map().toString())
                .contains("fleet-trace-0001");
        String id = JSON.readTree(accepted.body()).get("id").asString();

        GetResponse job = null;
        try (Connection connection = TestServers.broker().connect(); Channel channel = connection.createChannel()) {
            for (int i = 0; i < 150 && job == null; i++) {
                job = channel.basicGet(names.jobsQueue(), true);
                if (job == null) {
                    Thread.sleep(100);
                }
            }
        }
        assertThat(job).as("a job released by the scheduler").isNotNull();
        assertThat(new String(job.getBody())).contains(id);
        assertThat(job.getProps().getHeaders().get(Messaging.TRACE_HEADER).toString()).isEqualTo("fleet-trace-0001");
        assertThat(job.getProps().getHeaders()).containsKey(Messaging.ACCEPTED_AT_HEADER);

        String gateway = get(fleet.gatewayPort(), "/actuator/prometheus");
        assertThat(gateway).contains("sdfleet_gateway_generations_accepted_total{application=\"gateway-service\"} 1.0");
        // The test took the released job, so the scheduler may release the second one meanwhile: count 1 or 2.
        String scheduler = get(fleet.httpPorts().get("scheduler"), "/actuator/prometheus");
        assertThat(scheduler).containsPattern(
                        "sdfleet_scheduler_jobs_released_total\\{application=\"scheduler-service\"} [12]\\.0")
                .containsPattern("sdfleet_scheduler_job_hold_seconds_count\\{application=\"scheduler-service\"} [12]")
                .contains("sdfleet_scheduler_jobs_planned_total{application=\"scheduler-service\"} 2.0",
                        "sdfleet_queue_depth{application=\"scheduler-service\",tier=\"scheduler\"}",
                        "sdfleet_queue_depth{application=\"scheduler-service\",tier=\"jobs\"}");
        assertThat(get(fleet.httpPorts().get("storage"), "/actuator/prometheus")).contains("sdfleet_storage_images_total");
    }

    @Test
    void everyServiceAnswersItsHealthProbes() throws Exception {
        assertThat(fleet.httpPorts()).containsKeys("storage", "scheduler", "gateway");
        for (int port : fleet.httpPorts().values()) {
            for (String probe : new String[] {"/actuator/health/liveness", "/actuator/health/readiness"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(port, probe)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(port + probe + ": " + r.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void storageAndTheSchedulerServeNoOneWithoutTheInternalCredential() throws Exception {
        for (String service : new String[] {"storage", "scheduler"}) {
            int port = fleet.httpPorts().get(service);
            for (String path : new String[] {"/actuator/prometheus", "/actuator", "/internal/models",
                    "/internal/requests/x/images"}) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(port, path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(service + path).isEqualTo(401);
                r = http.send(HttpRequest.newBuilder(uri(port, path)).header("Authorization", "Bearer " + "z".repeat(43))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(service + path + " with another fleet's token").isEqualTo(401);
            }
        }
    }

    /** Was: local mode listened on every interface, so anyone on the LAN could use the fleet and read every image. */
    @Test
    void everyPortListensOnLoopbackOnly() throws Exception {
        List<InetAddress> outward = Collections.list(
                        NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(n -> Collections.list(n.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()).toList();
        Assumptions.assumeFalse(outward.isEmpty(), "this machine has no non-loopback address");
        for (var service : fleet.httpPorts().entrySet()) {
            try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), service.getValue())) {
                // reachable from this machine
            }
            for (InetAddress address : outward) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(address, service.getValue()), 2000);
                    throw new AssertionError(service.getKey() + " answers on " + address + ":" + service.getValue());
                } catch (ConnectException expected) {
                    // refused: nothing listens there
                }
            }
        }
    }

    private String get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(port, path)).header("Authorization", fleet.internalAuthorization())
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}

package io.sdfleet.scheduler.ops;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import io.sdfleet.scheduler.SchedulerApplication;
import io.sdfleet.scheduler.SchedulerTestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler on the machine's RabbitMQ (else an embedded broker) with its management port: a request carrying a
 * trace header becomes jobs carrying the same header (and the accepted-at time), and /actuator/prometheus lists the
 * scheduler's meters to the holder of the fleet's internal credential (and to no one else).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {SchedulerApplication.CONFIG_NAME, TestInternalToken.PROPERTY})
class SchedulerOperationsTest {

    private static final String PREFIX = "test-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final Messaging.Names NAMES = new Messaging.Names(PREFIX);
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();
    /** The scheduler's database (its broker names are this test's own, below). */
    private static final SchedulerTestBed DATABASE = SchedulerTestBed.create("db");
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
        for (String q : List.of(NAMES.requestsQueue(), NAMES.jobsQueue(), NAMES.jobsDeadLetterQueue(), NAMES.prefix() + "sdfleet.scheduler.events")) {
            channel.queueDelete(q);
        }
        channel.exchangeDelete(NAMES.eventsExchange());
        channel.exchangeDelete(NAMES.heartbeatsExchange());
        connection.close();
        DATABASE.close();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.databaseProperties(registry);
        registry.add("sdfleet.messaging.prefix", () -> PREFIX);
        registry.add("spring.rabbitmq.host", BROKER::host);
        registry.add("spring.rabbitmq.port", BROKER::port);
    }

    @Test
    void jobsCarryTheirRequestsTraceAndPrometheusListsTheSchedulersMeters() throws Exception {
        String request = UUID.randomUUID().toString();
        Instant accepted = Instant.now().minusSeconds(2);
        GenerationParameters p = new GenerationParameters(new Prompt("a cat", "", 1),
                new ImageSize(64, 64), new Batch(1, 2), Noise.of(1),
                new Sampling("Euler", "Automatic", 2, 7));
        channel.basicPublish("", NAMES.requestsQueue(), new AMQP.BasicProperties.Builder().deliveryMode(2)
                .contentType("application/json").headers(Map.of(Messaging.TRACE_HEADER, "trace-sched-1")).build(),
                JSON.writeValueAsBytes(new GenerationRequested(request, "alice", accepted, p)));

        // No worker is known: the scheduler releases queue-margin (1) job and holds the other.
        GetResponse job = null;
        for (int i = 0; i < 100 && job == null; i++) {
            job = channel.basicGet(NAMES.jobsQueue(), true);
            if (job == null) {
                Thread.sleep(100);
            }
        }
        assertThat(job).as("released job").isNotNull();
        assertThat(new String(job.getBody())).contains(request);
        assertThat(job.getProps().getHeaders().get(Messaging.TRACE_HEADER).toString()).isEqualTo("trace-sched-1");
        assertThat(((Number) job.getProps().getHeaders().get(Messaging.ACCEPTED_AT_HEADER)).longValue())
                .isEqualTo(accepted.toEpochMilli());

        String metrics = get("/actuator/prometheus").body();
        assertThat(metrics).contains(
                "sdfleet_queue_depth{application=\"scheduler-service\",tier=\"scheduler\"}",
                "sdfleet_queue_depth{application=\"scheduler-service\",tier=\"jobs\"}",
                "sdfleet_queue_depth{application=\"scheduler-service\",tier=\"dead-letter\"}",
                "sdfleet_queue_depth{application=\"scheduler-service\",tier=\"worker-queues\"} 0.0",
                "sdfleet_scheduler_jobs_released_to_holder_total{application=\"scheduler-service\"} 0.0",
                "sdfleet_scheduler_jobs_released_total",
                "sdfleet_scheduler_jobs_planned_total{application=\"scheduler-service\"} 2.0",
                "sdfleet_scheduler_job_hold_seconds_count",
                "sdfleet_scheduler_users_waiting",
                "sdfleet_scheduler_active{application=\"scheduler-service\"} 1.0");
        assertThat(get("/actuator/health/readiness", null).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/health/liveness", null).statusCode()).isEqualTo(200);
        assertThat(get("/actuator/prometheus", null).statusCode()).isEqualTo(401);
        assertThat(get("/actuator/prometheus", "Bearer " + "y".repeat(40)).statusCode()).isEqualTo(401);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return get(path, TestInternalToken.AUTHORIZATION);
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

package io.sdfleet.scheduler.release;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import io.sdfleet.scheduler.SchedulerApplication;
import io.sdfleet.scheduler.SchedulerTestBed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where the scheduler puts jobs, on the machine's RabbitMQ (else an embedded broker), with two stand-in workers that
 * only send heartbeats: "w-alpha" has model alpha loaded, "w-beta" has beta. Nothing consumes, so every released job
 * can be found where the scheduler put it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {SchedulerApplication.CONFIG_NAME,
        TestInternalToken.PROPERTY,
        "sdfleet.scheduler.heartbeat-timeout-seconds=2", "sdfleet.scheduler.stall.heartbeat-lost-seconds=1",
        "sdfleet.scheduler.stall.check-interval-ms=200", "sdfleet.scheduler.forget-worker-after-seconds=4",
        "sdfleet.scheduler.queue-margin=1"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelAffinityTest {

    private static final String PREFIX = "affinity-" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final Messaging.Names NAMES = new Messaging.Names(PREFIX);
    private static final TestServers.Endpoint BROKER = TestServers.broker();
    private static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();
    /** The scheduler's database (its broker names are this test's own, below). */
    private static final SchedulerTestBed DATABASE = SchedulerTestBed.create("db");
    private static Connection connection;
    private static Channel channel;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        DATABASE.databaseProperties(registry);
        registry.add("sdfleet.messaging.prefix", () -> PREFIX);
        registry.add("spring.rabbitmq.host", BROKER::host);
        registry.add("spring.rabbitmq.port", BROKER::port);
    }

    @BeforeAll
    static void connect() throws Exception {
        connection = BROKER.connect();
        channel = connection.createChannel();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        for (String q : List.of(NAMES.requestsQueue(), NAMES.jobsQueue(), NAMES.jobsDeadLetterQueue(), NAMES.prefix() + "sdfleet.scheduler.events",
                NAMES.workerJobsQueue("w-alpha"), NAMES.workerJobsQueue("w-beta"))) {
            try (Channel c = connection.createChannel()) {
                c.queueDelete(q);
            } catch (IOException alreadyGone) { // RabbitMQ shrugs at deleting a missing queue; Qpid refuses
            }
        }
        channel.exchangeDelete(NAMES.eventsExchange());
        channel.exchangeDelete(NAMES.heartbeatsExchange());
        connection.close();
        DATABASE.close();
    }

    @Test
    @Order(1)
    void aJobGoesToTheIdleWorkerHoldingItsModelAndAnUnheldModelToTheSharedQueue(
            @Autowired io.micrometer.core.instrument.MeterRegistry meters)
            throws Exception {
        heartbeat("w-alpha", "alpha");
        heartbeat("w-beta", "beta");
        Thread.sleep(300); // the scheduler hears both

        request("beta.safetensors");
        JobMessage beta = awaitJob(NAMES.workerJobsQueue("w-beta"));
        assertThat(beta.parameters().models().checkpoint()).isEqualTo("beta.safetensors");
        finished(beta, "w-beta");

        heartbeat("w-alpha", "alpha");
        request("alpha.safetensors");
        JobMessage alpha = awaitJob(NAMES.workerJobsQueue("w-alpha"));
        assertThat(alpha.parameters().models().checkpoint()).isEqualTo("alpha.safetensors");
        finished(alpha, "w-alpha");

        // Nobody holds gamma: it goes where any worker may take (and load) it.
        heartbeat("w-alpha", "alpha");
        heartbeat("w-beta", "beta");
        request("gamma.safetensors");
        JobMessage gamma = awaitJob(NAMES.jobsQueue());
        assertThat(gamma.parameters().models().checkpoint()).isEqualTo("gamma.safetensors");
        finished(gamma, "w-beta");
        assertThat(meters.get("sdfleet.scheduler.jobs.released.to.holder").counter().count()).isEqualTo(2.0);
        assertThat(meters.get("sdfleet.scheduler.jobs.released").counter().count()).isEqualTo(3.0);
        assertThat(channel.basicGet(NAMES.workerJobsQueue("w-alpha"), true)).isNull();
        assertThat(channel.basicGet(NAMES.workerJobsQueue("w-beta"), true)).isNull();
    }

    @Test
    @Order(2)
    void aJobWaitingForAWorkerThatFallsSilentMovesToTheSharedQueueAndTheGoneWorkersQueueIsDeleted() throws Exception {
        heartbeat("w-alpha", "alpha");
        Thread.sleep(300);
        request("alpha.safetensors");
        // The job waits on w-alpha's queue; w-alpha says nothing more. After 1 s of silence it moves, intact.
        GetResponse moved = awaitMessage(NAMES.jobsQueue());
        assertThat(JSON.readValue(moved.getBody(), JobMessage.class).parameters().models().checkpoint()).isEqualTo("alpha.safetensors");
        assertThat(moved.getProps().getHeaders()).containsKey(Messaging.ACCEPTED_AT_HEADER);
        assertThat(channel.basicGet(NAMES.workerJobsQueue("w-alpha"), true)).isNull();

        // Silent for 4 s: forgotten, and its queue is gone.
        boolean exists = true;
        for (int i = 0; i < 100 && exists; i++) {
            Thread.sleep(100);
            exists = queueExists(NAMES.workerJobsQueue("w-alpha"));
        }
        assertThat(exists).as("the gone worker's queue was deleted").isFalse();
    }

    private static boolean queueExists(String queue) throws IOException {
        try (Channel probe = connection.createChannel()) {
            probe.queueDeclarePassive(queue);
            return true;
        } catch (IOException notFound) {
            return false;
        } catch (TimeoutException e) {
            throw new IOException(e);
        }
    }

    private static void heartbeat(String worker, String model) throws IOException {
        channel.basicPublish(NAMES.heartbeatsExchange(), "", new AMQP.BasicProperties.Builder()
                        .contentType("application/json").build(),
                JSON.writeValueAsBytes(new WorkerHeartbeat(worker, "cpu", 8L << 30, 8L << 30, 0, List.of(model), null,
                        Instant.now())));
    }

    /** What the stand-in worker would say after running the job (ends the scheduler's watch of it). */
    private static void finished(JobMessage job, String worker) throws IOException {
        channel.basicPublish(NAMES.eventsExchange(), Messaging.eventKey(job.requestId(), "job-finished"),
                new AMQP.BasicProperties.Builder().contentType("application/json").build(),
                JSON.writeValueAsBytes(new JobFinished(job.requestId(), job.jobId(), worker, 1, 0.1, 0, Instant.now())));
    }

    private static void request(String model) throws IOException {
        GenerationParameters p = new GenerationParameters(new Prompt("a cat", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", 2, 7), null, null, new ModelChoice(model, null), false);
        channel.basicPublish("", NAMES.requestsQueue(), new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .contentType("application/json").build(),
                JSON.writeValueAsBytes(new GenerationRequested(UUID.randomUUID().toString(), "alice", Instant.now(), p)));
    }

    private static JobMessage awaitJob(String queue) throws Exception {
        return JSON.readValue(awaitMessage(queue).getBody(), JobMessage.class);
    }

    private static GetResponse awaitMessage(String queue) throws Exception {
        for (int i = 0; i < 100; i++) {
            GetResponse got = queueExists(queue) ? channel.basicGet(queue, true) : null;
            if (got != null) {
                return got;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("nothing arrived on " + queue);
    }
}

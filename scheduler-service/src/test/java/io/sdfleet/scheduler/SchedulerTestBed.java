package io.sdfleet.scheduler;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestInternalToken;
import io.sdfleet.infra.TestServers;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Real servers for a scheduler test: the machine's RabbitMQ (else an embedded broker) under a fresh name prefix and
 * a fresh PostgreSQL database; scheduler contexts started on them, a channel to play gateway and workers with, and
 * everything removed on close.
 */
public final class SchedulerTestBed implements AutoCloseable {

    public static final JsonMapper JSON = JsonMapper.builder().findAndAddModules().build();

    public final Messaging.Names names;
    public final TestDatabase database;
    private final TestServers.Endpoint broker = TestServers.broker();
    private final Connection connection;
    public final Channel channel;
    private final List<ConfigurableApplicationContext> started = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private SchedulerTestBed(String name) throws Exception {
        names = new Messaging.Names(name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".");
        database = TestDatabase.create();
        connection = broker.connect();
        channel = connection.createChannel();
    }

    public static SchedulerTestBed create(String name) {
        try {
            return new SchedulerTestBed(name);
        } catch (Exception e) {
            throw new IllegalStateException("no test servers", e);
        }
    }

    /** For a {@code @SpringBootTest}'s {@code @DynamicPropertySource}. */
    public void properties(DynamicPropertyRegistry registry) {
        registry.add("sdfleet.messaging.prefix", names::prefix);
        registry.add("spring.rabbitmq.host", broker::host);
        registry.add("spring.rabbitmq.port", broker::port);
        databaseProperties(registry);
    }

    /** The database alone, for a test with broker names of its own. */
    public void databaseProperties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", database::url);
        registry.add("spring.datasource.username", database::user);
        registry.add("spring.datasource.password", database::password);
    }

    /** A scheduler on these servers (management port any free one), with {@code extra} properties. */
    public ConfigurableApplicationContext startScheduler(String... extra) {
        ConfigurableApplicationContext context = SchedulerApplication.builder().run(arguments(extra));
        started.add(context);
        return context;
    }

    /** The same as an OS process of its own (a JVM on this test's class path), to be killed. */
    public Process startSchedulerProcess(Path log, String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SchedulerApplication.class.getName()));
        command.addAll(List.of(arguments(extra)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        return process;
    }

    /** Whether the queue exists (asked on a channel of its own: a missing queue closes the channel asking). */
    public boolean exists(String queue) {
        try (Channel probe = connection.createChannel()) {
            probe.queueDeclarePassive(queue);
            return true;
        } catch (Exception notFound) {
            return false;
        }
    }

    /** Whether some scheduler holds the active scheduler's lock on this test's database. */
    public boolean lockHeld() {
        return number("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") > 0;
    }

    private String[] arguments(String... extra) {
        List<String> args = new ArrayList<>(List.of("--sdfleet.messaging.prefix=" + names.prefix(),
                "--spring.rabbitmq.host=" + broker.host(), "--spring.rabbitmq.port=" + broker.port(),
                "--spring.datasource.url=" + database.url(), "--spring.datasource.username=" + database.user(),
                "--spring.datasource.password=" + database.password(), "--server.port=0",
                "--server.address=127.0.0.1", "--" + TestInternalToken.PROPERTY,
                "--sdfleet.scheduler.activity.poll-ms=200", "--sdfleet.scheduler.release-interval-ms=100"));
        Stream.of(extra).map(e -> "--" + e).forEach(args::add);
        return args.toArray(String[]::new);
    }

    public static GenerationParameters params(int batches) {
        return new GenerationParameters(new Prompt("a cat", "", 1), new ImageSize(64, 64), new Batch(1, batches),
                Noise.of(1), new Sampling("Euler", "Automatic", 2, 7));
    }

    /** Plays the gateway: a request of {@code batches} jobs of one image; returns its id. */
    public String request(String user, int batches) throws IOException {
        return request(UUID.randomUUID().toString(), user, batches);
    }

    /** Plays the gateway publishing request {@code id} (again, for a republished one). */
    public String request(String id, String user, int batches) throws IOException {
        channel.basicPublish("", names.requestsQueue(), new AMQP.BasicProperties.Builder().deliveryMode(2)
                        .contentType("application/json").build(),
                JSON.writeValueAsBytes(new GenerationRequested(id, user, Instant.now(), params(batches))));
        return id;
    }

    /** Plays a worker or storage: an event about a request. */
    public void event(EventKind kind, String requestId, Object event) throws IOException {
        channel.basicPublish(names.eventsExchange(), kind.routingKey(requestId),
                new AMQP.BasicProperties.Builder().contentType("application/json").type(kind.wireName()).build(),
                JSON.writeValueAsBytes(event));
    }

    /** The next message on {@code queue} (taken), waiting for it. */
    public GetResponse take(String queue) throws Exception {
        GetResponse[] got = new GetResponse[1];
        await("a message on " + queue, () -> {
            try {
                got[0] = channel.basicGet(queue, true);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return got[0] != null;
        });
        return got[0];
    }

    public JobMessage takeJob() throws Exception {
        return JSON.readValue(take(names.jobsQueue()).getBody(), JobMessage.class);
    }

    /** Ready messages on a queue. */
    public long ready(String queue) throws IOException {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    /** A number from the scheduler's database, e.g. {@code SELECT count(*) FROM scheduler.jobs}. */
    public long number(String sql, Object... args) {
        try (var c = DriverManager.getConnection(database.url(), database.user(), database.password());
             var s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (SQLException e) {
            return -1; // not migrated yet
        }
    }

    /** Waits (up to a minute) until {@code condition} holds. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("waited in vain for " + what);
    }

    @Override
    public void close() throws Exception {
        for (ConfigurableApplicationContext c : started.reversed()) {
            c.close();
        }
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        for (String q : List.of(names.requestsQueue(), names.jobsQueue(), names.jobsDeadLetterQueue(),
                names.prefix() + "sdfleet.scheduler.events")) {
            try (Channel c = connection.createChannel()) {
                c.queueDelete(q);
            } catch (IOException alreadyGone) { // RabbitMQ shrugs at deleting a missing queue; Qpid refuses
            }
        }
        try (Channel c = connection.createChannel()) {
            c.exchangeDelete(names.eventsExchange());
            c.exchangeDelete(names.heartbeatsExchange());
        }
        connection.close();
        database.close();
    }
}

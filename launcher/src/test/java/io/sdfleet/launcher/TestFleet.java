package io.sdfleet.launcher;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.infra.S3ProxyServer;
import io.sdfleet.infra.TestDatabase;
import io.sdfleet.infra.TestServers;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole fleet for one test class, on real servers: a throwaway database, an S3Proxy, the machine's (or an
 * embedded) broker under a random name prefix, and workers running the reference mini model.
 */
final class TestFleet implements AutoCloseable {

    final Path reference;
    final String prefix;
    final TestDatabase database;
    private final S3ProxyServer s3;
    final Fleet fleet;

    private TestFleet(Path reference, String prefix, TestDatabase database, S3ProxyServer s3, Fleet fleet) {
        this.reference = reference;
        this.prefix = prefix;
        this.database = database;
        this.s3 = s3;
        this.fleet = fleet;
    }

    static Path reference() {
        return Path.of(System.getProperty("sdfleet.reference", "../../shared/reference")).toAbsolutePath();
    }

    /**
     * @param name    names the broker prefix and the bucket, so runs never see each other's messages or images
     * @param options adjusts the default options (the mini model, its tokenizer, any gateway port)
     */
    static TestFleet start(Path dir, String name, int workers, UnaryOperator<Fleet.Options> options) throws Exception {
        return start(dir, name, workers, options, Map.of());
    }

    /** @param knobs properties given to every service (e.g. the scheduler's stall constants) */
    static TestFleet start(Path dir, String name, int workers, UnaryOperator<Fleet.Options> options,
                           Map<String, Object> knobs) throws Exception {
        Path reference = reference();
        TestDatabase database = TestDatabase.create();
        S3ProxyServer s3 = null;
        try {
            s3 = S3ProxyServer.start(dir.resolve("s3"));
            TestServers.Endpoint broker = TestServers.broker();
            String prefix = name + "-" + UUID.randomUUID().toString().substring(0, 8) + ".";
            Infrastructure infra = new Infrastructure(database.url(), database.user(), database.password(),
                    broker.host(), broker.port(), "guest", "guest", s3.endpoint(), S3ProxyServer.IDENTITY,
                    S3ProxyServer.CREDENTIAL, name + "-images", prefix);
            Fleet fleet = Fleet.start(infra, options.apply(new Fleet.Options(reference, "mini_sd15_fp32.safetensors",
                    reference.resolve("clip-tokenizer"), 0, workers)), knobs);
            return new TestFleet(reference, prefix, database, s3, fleet);
        } catch (Exception | Error e) {
            if (s3 != null) {
                s3.close();
            }
            database.close();
            throw e;
        }
    }

    /**
     * A failure drill's verdict from the images table: exactly {@code expected} distinct images stored for the
     * request, none twice. Prints the row the closing note's drill table is made of.
     */
    void assertDrill(String drill, String requestId, int expected) throws Exception {
        int rows;
        int distinct;
        try (java.sql.Connection c = DriverManager.getConnection(database.url(), database.user(), database.password());
             var ps = c.prepareStatement("SELECT count(*), count(DISTINCT image_index) FROM images WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                rows = rs.getInt(1);
                distinct = rs.getInt(2);
            }
        }
        System.out.printf("DRILL | %s | expected %d | stored %d | lost %d | duplicated %d%n", drill, expected, distinct,
                expected - distinct, rows - distinct);
        assertThat(distinct).as(drill + ": stored").isEqualTo(expected);
        assertThat(rows).as(drill + ": duplicated").isEqualTo(distinct);
    }

    /** Rows in storage's images table for one request. */
    long storedRows(String requestId) throws Exception {
        try (var c = DriverManager.getConnection(database.url(), database.user(), database.password());
             var ps = c.prepareStatement("SELECT count(*) FROM images WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Rows of one request's images stored after {@code since} (by storage's clock, the database's). */
    long storedSince(String requestId, Timestamp since) throws Exception {
        try (var c = DriverManager.getConnection(database.url(), database.user(), database.password());
             var ps = c.prepareStatement("SELECT count(*) FROM images WHERE request_id = ? AND created_at > ?")) {
            ps.setString(1, requestId);
            ps.setTimestamp(2, since);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public void close() throws Exception {
        List<String> workers = fleet.workerIds();
        fleet.close();
        deleteBrokerNames(workers);
        s3.close();
        database.close();
    }

    /** The run's durable queues and exchanges go with it, so a shared broker does not collect them run after run. */
    private void deleteBrokerNames(List<String> workers) throws Exception {
        Messaging.Names names = new Messaging.Names(prefix);
        List<String> queues = new ArrayList<>(List.of(names.requestsQueue(), names.jobsQueue(), names.jobsDeadLetterQueue()));
        workers.forEach(w -> queues.add(names.workerJobsQueue(w)));
        try (Connection connection = TestServers.broker().connect()) {
            for (String queue : queues) {
                try (Channel channel = connection.createChannel()) {
                    channel.queueDelete(queue);
                } catch (IOException alreadyGone) { // RabbitMQ shrugs at a missing queue; Qpid refuses
                }
            }
            for (String exchange : List.of(names.eventsExchange(), names.heartbeatsExchange())) {
                try (Channel channel = connection.createChannel()) {
                    channel.exchangeDelete(exchange);
                } catch (IOException alreadyGone) {
                }
            }
        }
    }
}

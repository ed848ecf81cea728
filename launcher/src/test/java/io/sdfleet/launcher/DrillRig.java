package io.sdfleet.launcher;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.infra.PostgresCluster;
import io.sdfleet.infra.RabbitMqNode;
import io.sdfleet.infra.S3ProxyServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;


import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What the crash drills run on: a RabbitMQ node and a PostgreSQL cluster of their own (so they may be SIGKILLed),
 * an S3Proxy, and the fleet with every service in its own JVM ({@link FleetProcesses}), authentication on, and the
 * three load users with their keys. Also what the drills observe: the broker's queue counts, the workers'
 * heartbeats, the gateway's and storage's rows, the S3 objects.
 */
final class DrillRig implements AutoCloseable {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> USERS = List.of("ada", "bob", "cy");
    static final int MAX_CONCURRENT_JOBS = 40;
    private static final String DATABASE = "sdfleet";
    private static final String BUCKET = "drill-images";
    private static final String PREFIX = "drill.";

    final RabbitMqNode broker;
    final PostgresCluster postgres;
    private final S3ProxyServer s3;
    private final Path s3Data;
    final FleetProcesses fleet;
    final Map<String, String> keys = new LinkedHashMap<>();
    private final Connection heartbeats;
    private final Map<String, JsonNode> lastHeartbeat = new ConcurrentHashMap<>();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private DrillRig(RabbitMqNode broker, PostgresCluster postgres, S3ProxyServer s3, Path s3Data,
                     FleetProcesses fleet, Connection heartbeats) {
        this.broker = broker;
        this.postgres = postgres;
        this.s3 = s3;
        this.s3Data = s3Data;
        this.fleet = fleet;
        this.heartbeats = heartbeats;
    }

    static DrillRig start(Path dir, int workers, int schedulers, int gateways) throws Exception {
        List<AutoCloseable> started = new ArrayList<>();
        try {
            RabbitMqNode broker = RabbitMqNode.start(dir.resolve("rabbitmq"));
            started.add(broker);
            PostgresCluster postgres = PostgresCluster.start(dir.resolve("postgres"));
            started.add(postgres);
            postgres.createDatabase(DATABASE);
            Path s3Data = dir.resolve("s3");
            S3ProxyServer s3 = S3ProxyServer.start(s3Data);
            started.add(s3);
            Infrastructure infra = new Infrastructure(postgres.jdbcUrl(DATABASE), PostgresCluster.USER, "",
                    "127.0.0.1", broker.amqpPort(), "guest", "guest", s3.endpoint(), S3ProxyServer.IDENTITY,
                    S3ProxyServer.CREDENTIAL, BUCKET, PREFIX);
            Path reference = TestFleet.reference();
            String adminKey = "sdf_drill_admin_" + "0".repeat(24);
            Fleet.Options options = new Fleet.Options(reference, "mini_sd15_fp32.safetensors",
                    reference.resolve("clip-tokenizer"), 0, workers).withAdminKey(adminKey);
            // heartbeats each second: a SIGKILLed worker is noticed within the scheduler's usual 30 s
            // the services' logs outlive the test's temporary folder, so a failed drill can be read afterwards
            Path logs = Path.of("target", "drill-logs", dir.getFileName().toString()).toAbsolutePath();
            FleetProcesses fleet = FleetProcesses.start(infra, options, Map.of(), schedulers, gateways, logs);
            started.add(fleet);
            Connection heartbeats = followHeartbeats(broker.amqpPort());
            DrillRig rig = new DrillRig(broker, postgres, s3, s3Data, fleet, heartbeats);
            rig.watchHeartbeats();
            rig.keys.put("admin", adminKey);
            for (String user : USERS) {
                rig.createUser(user);
            }
            return rig;
        } catch (Exception | Error e) {
            Collections.reverse(started);
            for (AutoCloseable c : started) {
                c.close();
            }
            throw e;
        }
    }

    private static Connection followHeartbeats(int port) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        factory.setAutomaticRecoveryEnabled(true); // through the broker drill
        factory.setNetworkRecoveryInterval(1000);
        return factory.newConnection();
    }

    private void watchHeartbeats() throws IOException {
        Channel channel = heartbeats.createChannel();
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, new Messaging.Names(PREFIX).heartbeatsExchange(), "");
        channel.basicConsume(queue, true, (tag, delivery) -> {
            JsonNode beat = JSON.readTree(delivery.getBody());
            lastHeartbeat.put(beat.path("workerId").asString(), beat);
        }, tag -> { });
    }

    private void createUser(String user) throws Exception {
        createUser(user, MAX_CONCURRENT_JOBS);
    }

    /** A user allowed {@code maxConcurrentJobs} batches at once, with a key in {@link #keys}. */
    void createUser(String user, int maxConcurrentJobs) throws Exception {
        HttpResponse<String> created = send("admin", 0, "POST", "/api/v1/admin/users", """
                {"name": "%s", "max_concurrent_jobs": %d, "max_images_per_day": 100000}"""
                .formatted(user, maxConcurrentJobs));
        if (created.statusCode() != 201) {
            throw new IllegalStateException("creating " + user + ": " + created.statusCode() + " " + created.body());
        }
        HttpResponse<String> key = send("admin", 0, "POST", "/api/v1/admin/users/" + user + "/keys", "{}");
        keys.put(user, JSON.readTree(key.body()).get("key").asString());
    }

    Messaging.Names names() {
        return new Messaging.Names(PREFIX);
    }

    int gatewayPort(int gateway) {
        return fleet.gateways().get(gateway).port();
    }

    /** A call to gateway number {@code gateway} (from 0) as {@code user}; body null for GET/DELETE. */
    HttpResponse<String> send(String user, int gateway, String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gatewayPort(gateway) + path))
                .header("Authorization", "Bearer " + keys.get(user)).timeout(Duration.ofSeconds(600));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Each worker as its last heartbeat has it (alive, drained, its job, how long ago), and where the logs are. */
    String workersReport() {
        List<String> out = new ArrayList<>();
        for (ServiceProcess w : fleet.workers()) {
            JsonNode beat = lastHeartbeat.get(w.name());
            out.add(w.name() + (w.alive() ? " alive" : " dead") + (beat == null ? ", no heartbeat seen"
                    : ", drained " + beat.path("drained").asBoolean(false) + ", job " + beat.path("currentJobId")
                    + ", beat at " + beat.path("at").asString("?")));
        }
        return out + " (logs in " + fleet.workers().getFirst().log().getParent() + ")";
    }

    /** The worker whose last heartbeat says it runs a job, if any. */
    Optional<ServiceProcess> busyWorker() {
        return fleet.workers().stream().filter(w -> {
            JsonNode beat = lastHeartbeat.get(w.name());
            return beat != null && w.alive() && !beat.path("currentJobId").isNull()
                    && !beat.path("currentJobId").asString("").isEmpty();
        }).findFirst();
    }

    /** The broker's counts for one of the fleet's queues (zero when it is not there). */
    RabbitMqNode.QueueState queue(String name) throws Exception {
        return broker.queues().stream().filter(q -> q.name().equals(name)).findFirst()
                .orElse(new RabbitMqNode.QueueState(name, 0, 0));
    }

    /** Jobs on the shared queue and every worker's own, ready and unacknowledged together. */
    RabbitMqNode.QueueState jobs() throws Exception {
        long ready = 0;
        long unacked = 0;
        for (RabbitMqNode.QueueState q : broker.queues()) {
            if (q.name().equals(names().jobsQueue()) || q.name().startsWith(PREFIX + Messaging.WORKER_JOBS_QUEUE_PREFIX)) {
                ready += q.ready();
                unacked += q.unacknowledged();
            }
        }
        return new RabbitMqNode.QueueState("jobs", ready, unacked);
    }

    /**
     * Jobs the scheduler has planned durably and holds for their fair turn (its table's {@code pending}): since a
     * request is acknowledged once its plan is written, these are what a scheduler crash must not lose.
     */
    long jobsHeldByTheScheduler() throws Exception {
        return count("SELECT count(*) FROM scheduler.jobs WHERE state = 'pending'");
    }

    /** PNG objects in the bucket (S3Proxy's filesystem backend keeps one file per object). */
    long objectsInS3() throws IOException {
        Path bucket = s3Data.resolve(BUCKET);
        if (!Files.isDirectory(bucket)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(bucket)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }

    /** One number from the fleet's database (storage's tables in public, the gateway's in schema gateway). */
    long count(String sql, Object... args) throws Exception {
        try (var c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), PostgresCluster.USER, "");
             var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * A transaction holding a SHARE lock on storage's images table: inserts wait until it is closed (rolled back),
     * reads do not.
     */
    java.sql.Connection lockImagesAgainstInserts() throws Exception {
        java.sql.Connection c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), PostgresCluster.USER, "");
        c.setAutoCommit(false);
        try (var s = c.createStatement()) {
            s.execute("LOCK TABLE images IN SHARE MODE");
        }
        return c; // close() without commit rolls back and releases the lock
    }

    /**
     * Waits until a request whose prompt starts with {@code prompt} has its row inserted and not yet marked published
     * while {@code syncWaiting} A1111 callers wait, then locks that row (FOR UPDATE, in a transaction of the test's
     * own), so the gateway's "published" update waits behind the lock: the moment between insert and publish held
     * open. Closing rolls the transaction back.
     */
    HeldRequest holdUnpublishedRequest(String prompt, java.util.function.IntSupplier syncWaiting) throws Exception {
        java.sql.Connection c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), PostgresCluster.USER, "");
        c.setAutoCommit(false);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        try (var ps = c.prepareStatement("SELECT id FROM gateway.generations WHERE NOT published "
                + "AND parameters -> 'prompt' ->> 'positive' LIKE ? ORDER BY accepted_at DESC LIMIT 1 FOR UPDATE NOWAIT")) {
            ps.setString(1, prompt + "%");
            while (Instant.now().isBefore(deadline)) {
                if (syncWaiting.getAsInt() > 0) {
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return new HeldRequest(c, rs.getString(1) + " inserted, publish unconfirmed (row held); "
                                    + syncWaiting.getAsInt() + " A1111 calls waiting");
                        }
                    } catch (java.sql.SQLException lockedByTheGateway) {
                        // NOWAIT: the gateway is marking it published right now; the next one
                    }
                    c.rollback();
                }
                Thread.sleep(2);
            }
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
        c.close();
        throw new AssertionError("no request of '" + prompt + "' was ever seen inserted and unpublished");
    }

    /** A request row held locked by the test; closing releases it. */
    record HeldRequest(java.sql.Connection connection, String moment) implements AutoCloseable {
        @Override
        public void close() throws java.sql.SQLException {
            if (!connection.isClosed()) {
                connection.rollback();
                connection.close();
            }
        }
    }

    /** Stored rows and distinct image indexes of one request, from storage's table. */
    long[] storedImages(String requestId) throws Exception {
        try (var c = DriverManager.getConnection(postgres.jdbcUrl(DATABASE), PostgresCluster.USER, "");
             var ps = c.prepareStatement("SELECT count(*), count(DISTINCT image_index) FROM images WHERE request_id = ?")) {
            ps.setString(1, requestId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            heartbeats.abort();
        } finally {
            try {
                fleet.close();
            } finally {
                s3.close();
                postgres.close();
                broker.close();
            }
        }
    }
}

package io.sdfleet.infra;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeoutException;

/**
 * Where integration tests find PostgreSQL and an AMQP broker: the machine's servers when they answer (CI and
 * development machines run both), else real servers embedded in the test JVM (zonky PostgreSQL, Qpid Broker-J),
 * started once per JVM and stopped when it exits. {@code SDFLEET_TEST_EMBEDDED=true} (or the system property
 * {@code sdfleet.test.embedded}) forces the embedded ones, to prove a machine with neither still passes.
 */
public final class TestServers {

    private static EmbeddedPostgres postgres;
    private static Endpoint broker;

    private TestServers() {
    }

    /** Host and port of a server. */
    public record Endpoint(String host, int port) {

        /** A plain AMQP connection (guest/guest), for tests that publish, peek or clean up on the broker by hand. */
        public Connection connect() throws IOException, TimeoutException {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost(host);
            factory.setPort(port);
            return factory.newConnection();
        }
    }

    public static boolean embeddedForced() {
        String value = System.getProperty("sdfleet.test.embedded", System.getenv("SDFLEET_TEST_EMBEDDED"));
        return Boolean.parseBoolean(value);
    }

    /** The machine's PostgreSQL (SDFLEET_TEST_PG_HOST/PORT, default 127.0.0.1:5432) or an embedded one. */
    public static synchronized Endpoint postgres() {
        Endpoint machine = new Endpoint(env("SDFLEET_TEST_PG_HOST", "127.0.0.1"),
                Integer.parseInt(env("SDFLEET_TEST_PG_PORT", "5432")));
        if (!embeddedForced() && EmbeddedBroker.reachable(machine.host(), machine.port())) {
            return machine;
        }
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.builder().setPort(freePort()).start();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start an embedded PostgreSQL", e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(started)));
            System.err.println("[sdfleet tests] using an embedded PostgreSQL on port " + postgres.getPort());
        }
        return new Endpoint("127.0.0.1", postgres.getPort());
    }

    /** The machine's RabbitMQ (SDFLEET_TEST_AMQP_HOST/PORT, default 127.0.0.1:5672, guest/guest) or an embedded Qpid broker. */
    public static synchronized Endpoint broker() {
        Endpoint machine = new Endpoint(env("SDFLEET_TEST_AMQP_HOST", "127.0.0.1"),
                Integer.parseInt(env("SDFLEET_TEST_AMQP_PORT", "5672")));
        if (!embeddedForced() && EmbeddedBroker.reachable(machine.host(), machine.port())) {
            return machine;
        }
        if (broker == null) {
            try {
                int port = freePort();
                Path work = Files.createTempDirectory("sdfleet-test-broker");
                EmbeddedBroker started = EmbeddedBroker.start(work, port);
                Runtime.getRuntime().addShutdownHook(new Thread(started::close));
                broker = new Endpoint("127.0.0.1", port);
                System.err.println("[sdfleet tests] using an embedded Qpid AMQP broker on port " + port);
            } catch (Exception e) {
                throw new IllegalStateException("could not start an embedded AMQP broker", e);
            }
        }
        return broker;
    }

    static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // the JVM is exiting; nothing left to tell
        }
    }
}

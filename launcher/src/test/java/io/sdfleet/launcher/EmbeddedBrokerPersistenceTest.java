package io.sdfleet.launcher;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import io.sdfleet.infra.EmbeddedBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Local mode's embedded Qpid broker keeps queued work on disk: persistent messages on a durable queue are there again
 * after the broker is stopped, and after the JVM running it is SIGKILLed, once a broker starts on the same folder.
 */
class EmbeddedBrokerPersistenceTest {

    private static final String QUEUE = "sdfleet.test.kept";

    @Test
    void queuedMessagesSurviveAStopAndRestart(@TempDir Path work) throws Exception {
        int port = freePort();
        try (EmbeddedBroker broker = EmbeddedBroker.start(work, port)) {
            publish(port, "one", "two", "three");
        }
        try (EmbeddedBroker again = EmbeddedBroker.start(work, port)) {
            assertThat(drain(port)).containsExactly("one", "two", "three");
        }
    }

    @Test
    void queuedMessagesSurviveTheBrokersJvmBeingKilled(@TempDir Path work) throws Exception {
        int port = freePort();
        Process child = startChild(work, port);
        try {
            publish(port, "before the kill", "also before");
            child.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no clean close of the store
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("killed by signal 9").isEqualTo(137);
        } finally {
            child.destroyForcibly();
        }
        try (EmbeddedBroker again = EmbeddedBroker.start(work, port)) {
            assertThat(drain(port)).containsExactly("before the kill", "also before");
        }
    }

    private static Process startChild(Path work, int port) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), EmbeddedBrokerChild.class.getName(),
                work.toString(), String.valueOf(port)).redirectErrorStream(true).start();
        ChildReady.await(child, "the broker's JVM");
        return child;
    }

    private static void publish(int port, String... bodies) throws Exception {
        try (Connection c = connect(port); Channel ch = c.createChannel()) {
            ch.queueDeclare(QUEUE, true, false, false, null);
            ch.confirmSelect();
            for (String body : bodies) {
                ch.basicPublish("", QUEUE, MessageProperties.PERSISTENT_TEXT_PLAIN, body.getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    private static List<String> drain(int port) throws Exception {
        List<String> bodies = new ArrayList<>();
        try (Connection c = connect(port); Channel ch = c.createChannel()) {
            for (GetResponse r; (r = ch.basicGet(QUEUE, true)) != null; ) {
                bodies.add(new String(r.getBody(), StandardCharsets.UTF_8));
            }
        }
        return bodies;
    }

    private static Connection connect(int port) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(port);
        return factory.newConnection();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

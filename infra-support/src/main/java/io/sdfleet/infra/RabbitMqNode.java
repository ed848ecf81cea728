package io.sdfleet.infra;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A RabbitMQ node of a test's own (the machine's {@code rabbitmq-server}, 3.10), on its own AMQP and distribution
 * ports with its own node name, Mnesia and log folders, config, plugins file and Erlang cookie (HOME), so a drill may
 * SIGKILL it and start it again on the same data: durable queues and persistent messages come back.
 */
public final class RabbitMqNode implements AutoCloseable {

    private static final Path SCRIPTS = Path.of("/usr/lib/rabbitmq/bin"); // not /usr/sbin's wrapper, which su's

    private final Path home;
    private final int amqpPort;
    private final String nodeName;
    private final Map<String, String> environment;
    private Process process;

    private RabbitMqNode(Path home, int amqpPort, int distPort) {
        this.home = home;
        this.amqpPort = amqpPort;
        this.nodeName = "drill-" + amqpPort + "@localhost";
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString()); // the Erlang cookie is made there
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", String.valueOf(amqpPort));
        env.put("RABBITMQ_DIST_PORT", String.valueOf(distPort));
        env.put("RABBITMQ_MNESIA_BASE", home.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", home.resolve("log").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", home.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONFIG_FILE", home.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", home.resolve("advanced.config").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", home.resolve("rabbitmq-env.conf").toString()); // not /etc's NODENAME
        env.put("RABBITMQ_PID_FILE", home.resolve("rabbitmq.pid").toString());
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        this.environment = Map.copyOf(env);
    }

    /** Whether this machine has RabbitMQ's scripts. */
    public static boolean available() {
        return Files.isExecutable(SCRIPTS.resolve("rabbitmq-server"));
    }

    public static RabbitMqNode start(Path home) throws IOException, InterruptedException {
        Files.createDirectories(home.resolve("log"));
        Files.writeString(home.resolve("enabled_plugins"), "[].\n");
        Files.writeString(home.resolve("rabbitmq.conf"), "log.console = true\nlog.file = false\n");
        Files.writeString(home.resolve("advanced.config"), "[].\n");
        Files.writeString(home.resolve("rabbitmq-env.conf"), "");
        RabbitMqNode node = new RabbitMqNode(home, freePort(), freePort());
        node.launch();
        return node;
    }

    private void launch() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(SCRIPTS.resolve("rabbitmq-server").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("server.log").toFile()));
        builder.environment().putAll(environment);
        process = builder.start();
        awaitAmqp(Duration.ofSeconds(120));
    }

    private void awaitAmqp(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Exception last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rabbitmq-server exited with " + process.exitValue() + "; see "
                        + home.resolve("server.log"));
            }
            try (Connection ignored = connect()) {
                return;
            } catch (Exception notYet) {
                last = notYet;
                Thread.sleep(500);
            }
        }
        throw new IllegalStateException("RabbitMQ node " + nodeName + " did not open AMQP within " + timeout, last);
    }

    public int amqpPort() {
        return amqpPort;
    }

    public String nodeName() {
        return nodeName;
    }

    /** The Erlang VM's process id (the script execs it). */
    public long pid() {
        return process.pid();
    }

    public Connection connect() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(amqpPort);
        factory.setAutomaticRecoveryEnabled(false);
        return factory.newConnection();
    }

    /** A queue's counts, as {@code rabbitmqctl list_queues} tells them. */
    public record QueueState(String name, long ready, long unacknowledged) {
    }

    /** Every queue's ready and unacknowledged message counts, asked of the node with {@code rabbitmqctl}. */
    public List<QueueState> queues() throws IOException, InterruptedException {
        String out = rabbitmqctl("list_queues", "name", "messages_ready", "messages_unacknowledged");
        List<QueueState> queues = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] cols = line.trim().split("\t");
            if (cols.length == 3 && cols[1].matches("\\d+") && cols[2].matches("\\d+")) {
                queues.add(new QueueState(cols[0], Long.parseLong(cols[1]), Long.parseLong(cols[2])));
            }
        }
        return queues;
    }

    /** Runs {@code rabbitmqctl -n <this node> ...} and returns its output; fails on a non-zero status. */
    public String rabbitmqctl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(SCRIPTS.resolve("rabbitmqctl").toString(), "-q", "-n", nodeName));
        command.addAll(List.of(args));
        if (args.length > 0 && args[0].startsWith("list_")) {
            command.add("--no-table-headers");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process ctl = builder.start();
        byte[] out = ctl.getInputStream().readAllBytes();
        if (!ctl.waitFor(60, TimeUnit.SECONDS) || ctl.exitValue() != 0) {
            ctl.destroyForcibly();
            throw new IOException("rabbitmqctl " + String.join(" ", args) + " failed: "
                    + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** SIGKILL of the Erlang VM and its helpers (not epmd, which is shared and not ours). */
    public void kill() throws InterruptedException {
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroyForcibly();
        helpers.forEach(ProcessHandle::destroyForcibly);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("RabbitMQ node " + nodeName + " survived SIGKILL");
        }
        for (ProcessHandle helper : helpers) {
            helper.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    /** Starts the node again on the same ports and data, and waits until AMQP answers. */
    public void restart() throws IOException, InterruptedException {
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            rabbitmqctl("stop");
        } catch (IOException e) {
            // a node that will not stop cleanly is killed below
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

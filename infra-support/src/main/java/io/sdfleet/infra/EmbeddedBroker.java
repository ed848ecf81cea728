package io.sdfleet.infra;

import org.apache.qpid.server.SystemLauncher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * An AMQP 0-9-1 broker inside the launcher's JVM (Apache Qpid Broker-J), for machines without RabbitMQ. It speaks
 * the protocol the services use; RabbitMQ remains the broker for deployments. Its virtual host lives in a Derby store
 * under {@code workDir}, so durable queues and persistent messages outlive the broker (Ctrl-C, or the JVM killed):
 * the next start on the same folder serves them again.
 */
public final class EmbeddedBroker implements AutoCloseable {

    private final SystemLauncher launcher;

    private EmbeddedBroker(SystemLauncher launcher) {
        this.launcher = launcher;
    }

    public static EmbeddedBroker start(Path workDir, int port) throws Exception {
        Files.createDirectories(workDir);
        Path config = workDir.resolve("qpid-initial-config.json");
        Files.writeString(config, """
                {
                  "name": "sdfleet-local",
                  "modelVersion": "9.0",
                  "authenticationproviders": [{"name": "plain", "type": "Plain", "secureOnlyMechanisms": [],
                     "users": [{"name": "guest", "password": "guest", "type": "managed"}]}],
                  "ports": [{"name": "AMQP", "port": "%d", "bindingAddress": "127.0.0.1",
                     "protocols": ["AMQP_0_9_1"], "authenticationProvider": "plain",
                     "virtualhostaliases": [{"name": "nameAlias", "type": "nameAlias"},
                                            {"name": "defaultAlias", "type": "defaultAlias"}]}],
                  "virtualhostnodes": [{"name": "default", "type": "DERBY", "defaultVirtualHostNode": "true",
                     "storePath": "%s",
                     "virtualHostInitialConfiguration": "{\\"type\\": \\"ProvidedStore\\"}"}]
                }
                """.formatted(port, workDir.resolve("store").toAbsolutePath()));
        Map<String, Object> attributes = new HashMap<>();
        attributes.put("type", "Memory");
        attributes.put("initialConfigurationLocation", config.toUri().toString());
        attributes.put("startupLoggedToSystemOut", false);
        attributes.put("qpid.work_dir", workDir.toString());
        System.setProperty("QPID_WORK", workDir.toString());
        // Derby writes its own log to the working directory unless told where
        System.setProperty("derby.stream.error.file", workDir.resolve("derby.log").toString());
        SystemLauncher launcher = new SystemLauncher();
        launcher.startup(attributes);
        return new EmbeddedBroker(launcher);
    }

    @Override
    public void close() {
        launcher.shutdown();
    }

    public static boolean reachable(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}

package io.sdfleet.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service as its own OS process: {@code java -cp <this JVM's class path> <the service's main> --k=v ...}, output
 * appended to {@code <name>.log}. It can be SIGKILLed ({@link Process#destroyForcibly()} is SIGKILL on Linux: no
 * shutdown hook, nothing handed back) and restarted with the same settings on the same port.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Class<?> main;
    private final Map<String, Object> properties;
    private final int port;
    private final int heapMegabytes;
    private final Path log;
    private Process process;

    /**
     * @param properties the service's settings; {@code server.port} must be a fixed port (it is kept across restarts)
     */
    ServiceProcess(String name, Class<?> main, Map<String, Object> properties, int heapMegabytes, Path logDir) {
        this.name = name;
        this.main = main;
        this.properties = new LinkedHashMap<>(properties);
        this.port = Integer.parseInt(String.valueOf(properties.get("server.port")));
        this.heapMegabytes = heapMegabytes;
        this.log = logDir.resolve(name + ".log");
    }

    /** Starts the JVM (not waiting for it to be healthy). */
    public synchronized void launch() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapMegabytes + "m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "--enable-native-access=ALL-UNNAMED"));
        // the engine's settings (offline model hub, native library cache) as this JVM has them
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("ai.djl."))
                .forEach(k -> command.add("-D" + k + "=" + System.getProperty(k)));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        properties.forEach((k, v) -> command.add("--" + k + "=" + v));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Waits until {@code /actuator/health} answers 200, failing early if the process exits. */
    public void awaitHealthy(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            Process p = process;
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + p.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 200) {
                    return;
                }
                last = health.statusCode() + " " + health.body();
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not healthy within " + timeout + " (last: " + last + "); see " + log);
    }

    /** SIGKILL, and wait until the process is gone. */
    public void kill() throws InterruptedException {
        Process p = process;
        p.destroyForcibly();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (pid " + p.pid() + ") survived SIGKILL");
        }
    }

    /** Starts it again with the same settings and port, and waits until it is healthy. */
    public void restart(Duration timeout) throws IOException, InterruptedException {
        launch();
        awaitHealthy(timeout);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** The exit status of the last run (137 after a SIGKILL); -1 while it runs. */
    public int exitStatus() {
        return process.isAlive() ? -1 : process.exitValue();
    }

    /** Its HTTP port: the API for gateway and storage, the management port (/actuator) for the others. */
    public int port() {
        return port;
    }

    public Path log() {
        return log;
    }

    /** A graceful stop (SIGTERM), SIGKILL if it takes longer than 30 s. */
    @Override
    public void close() throws InterruptedException {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            kill();
        }
    }
}

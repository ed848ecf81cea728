package io.sdfleet.infra;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A real S3 API server for tests: S3Proxy on a filesystem backend, run as its own process (its Jetty stays out of
 * the service under test). The jar path comes from the build (system property {@code s3proxy.jar}). While it runs,
 * its process id is in {@link #pidFile} beside the data folder, so that a later run can find one that outlived a
 * killed parent.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String IDENTITY = "sdfleet-test";
    public static final String CREDENTIAL = "sdfleet-test-secret";

    private final Process process;
    private final int port;
    private final Path pidFile;

    private S3ProxyServer(Process process, int port, Path pidFile) {
        this.process = process;
        this.port = port;
        this.pidFile = pidFile;
    }

    /** Where the process id of the S3Proxy serving {@code dataDir} is kept while it runs. */
    public static Path pidFile(Path dataDir) {
        return dataDir.resolveSibling(dataDir.getFileName() + ".pid");
    }

    public static S3ProxyServer start(Path dataDir) throws IOException, InterruptedException {
        String jar = System.getProperty("s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("s3proxy.jar system property must name the S3Proxy jar, got " + jar);
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(dataDir);
        Path properties = dataDir.resolveSibling(dataDir.getFileName() + ".properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath(),
                ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar, "--properties", properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolveSibling(dataDir.getFileName() + ".log").toFile())
                .start();
        Files.writeString(pidFile(dataDir), process.pid() + "\n");
        S3ProxyServer server = new S3ProxyServer(process, port, pidFile(dataDir));
        server.awaitPort(Duration.ofSeconds(60));
        return server;
    }

    private void awaitPort(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with status " + process.exitValue());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        close();
        throw new IllegalStateException("S3Proxy did not open port " + port + " within " + timeout);
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
            Files.deleteIfExists(pidFile);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // a stale pid file names a dead process: the next start sees that and ignores it
        }
    }
}

package io.sdfleet.launcher;

import io.sdfleet.infra.S3ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A local fleet killed with SIGKILL leaves its embedded PostgreSQL and S3Proxy running (they are processes of their
 * own). The next start must stop those orphans, say so, and run on fresh ones; while the first run is still alive, a
 * second one on the same folder is refused and the first's servers are left alone.
 */
class OrphanedServersDrillTest {

    @Test
    void aKilledRunsServersAreStoppedByTheNextStart(@TempDir Path home) throws Exception {
        int dbPort = freePort();
        Process first = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Ds3proxy.jar=" + System.getProperty("s3proxy.jar"), "-cp", System.getProperty("java.class.path"),
                LocalInfrastructureChild.class.getName(), home.toString(), String.valueOf(dbPort))
                .redirectErrorStream(true).start();
        List<AutoCloseable> started = new ArrayList<>();
        try {
            ChildReady.await(first, "the child");
            long postgres = firstLineAsPid(home.resolve("postgres").resolve("postmaster.pid"));
            long s3 = firstLineAsPid(S3ProxyServer.pidFile(home.resolve("s3")));

            // the first run is alive: a second start on its folder is refused, its servers untouched
            Map<String, String> env = Map.of("SDFLEET_DB_PORT", String.valueOf(dbPort), "SDFLEET_AMQP_HOST", "127.0.0.1");
            assertThatThrownBy(() -> LocalInfrastructure.start(home, started, env))
                    .hasMessageContaining("another sdfleet (pid " + first.pid() + ")");
            assertThat(started).isEmpty();
            assertThat(alive(postgres)).isTrue();
            assertThat(alive(s3)).isTrue();

            first.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(alive(postgres)).as("the bad moment: PostgreSQL outlived its fleet").isTrue();
            assertThat(alive(s3)).as("the bad moment: S3Proxy outlived its fleet").isTrue();

            ByteArrayOutputStream said = new ByteArrayOutputStream();
            PrintStream console = System.out;
            Infrastructure infra;
            System.setOut(new PrintStream(said, true, StandardCharsets.UTF_8));
            try {
                infra = LocalInfrastructure.start(home, started, env);
            } finally {
                System.setOut(console);
            }
            String output = said.toString(StandardCharsets.UTF_8);
            assertThat(output).contains("stopped an orphaned embedded PostgreSQL (pid " + postgres + ",",
                    "stopped an orphaned embedded S3Proxy (pid " + s3 + ",");
            assertThat(alive(postgres)).isFalse();
            assertThat(alive(s3)).isFalse();
            assertThat(started).hasSize(2); // fresh PostgreSQL and S3Proxy, owned by this run

            long freshPostgres = firstLineAsPid(home.resolve("postgres").resolve("postmaster.pid"));
            assertThat(freshPostgres).isNotEqualTo(postgres);
            try (var connection = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
                 var result = connection.createStatement().executeQuery("SELECT 1")) {
                assertThat(result.next()).isTrue();
            }
            HttpResponse<Void> s3Answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(infra.s3Endpoint())).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(s3Answer.statusCode()).isLessThan(500);
        } finally {
            first.destroyForcibly();
            Collections.reverse(started);
            for (AutoCloseable c : started) {
                c.close();
            }
        }
    }

    private static long firstLineAsPid(Path file) throws Exception {
        return Long.parseLong(Files.readAllLines(file).getFirst().trim());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

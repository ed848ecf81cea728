package io.sdfleet.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL cluster of a test's own (zonky's binaries run a real postmaster) on its own port and data folder, so a
 * drill may SIGKILL the postmaster and start it again on the same data, as after a crash: PostgreSQL replays its
 * write-ahead log.
 */
public final class PostgresCluster implements AutoCloseable {

    public static final String USER = "postgres";

    private final Path dataDir;
    private final int port;
    private EmbeddedPostgres postgres;

    private PostgresCluster(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    public static PostgresCluster start(Path dataDir) throws IOException {
        PostgresCluster cluster = new PostgresCluster(dataDir, freePort());
        cluster.launch();
        return cluster;
    }

    private void launch() throws IOException {
        postgres = EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
                .start();
    }

    public int port() {
        return port;
    }

    /** A JDBC URL for {@code database} on this cluster. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public void createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
    }

    /** The postmaster's process id, from {@code postmaster.pid}. */
    public long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).getFirst().trim());
    }

    /**
     * SIGKILL of the postmaster, as the OOM killer would; its backends are killed too (they would notice their
     * postmaster is gone and exit, but a new postmaster refuses to start while any still holds shared memory).
     */
    public void killPostmaster() throws IOException {
        ProcessHandle postmaster = ProcessHandle.of(postmasterPid())
                .orElseThrow(() -> new IllegalStateException("no postmaster running for " + dataDir));
        List<ProcessHandle> backends = postmaster.descendants().toList();
        postmaster.destroyForcibly();
        backends.forEach(ProcessHandle::destroyForcibly);
        postmaster.onExit().orTimeout(60, TimeUnit.SECONDS).join();
        for (ProcessHandle backend : backends) {
            backend.onExit().orTimeout(60, TimeUnit.SECONDS).join();
        }
        try {
            postgres.close(); // its pg_ctl stop finds nothing; what matters is that it lets go of the data folder's lock
        } catch (IOException | RuntimeException nothingToStop) {
            // the postmaster is gone already
        }
        postgres = null;
    }

    /** Starts a postmaster again on the same port and data (crash recovery runs first). */
    public void restart() throws IOException {
        launch();
    }

    @Override
    public void close() throws IOException {
        if (postgres != null) {
            postgres.close();
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

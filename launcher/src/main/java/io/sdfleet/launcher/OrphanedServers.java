package io.sdfleet.launcher;

import io.sdfleet.infra.S3ProxyServer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The embedded PostgreSQL and S3Proxy are processes of their own: when {@code ./sd fleet} is killed (SIGKILL, an OOM
 * kill, a closed terminal) they keep running, holding the data folders. Before local mode starts its own, this finds
 * such orphans by the process ids they left in those folders ({@code postmaster.pid}, {@code s3.pid}) and stops them,
 * saying which, rather than attaching to a server that nobody owns. A run that is still alive is not an earlier run:
 * {@code <home>/fleet.pid} names the JVM that owns the folder, and a second fleet on the same folder is refused.
 */
final class OrphanedServers {

    private static final Duration GRACE = Duration.ofSeconds(15);

    private OrphanedServers() {
    }

    /**
     * Takes {@code home} for this JVM and stops what an earlier run left there; one line per server stopped.
     * Refuses (IllegalStateException) when the run that owns the folder is still alive.
     */
    static List<String> claimAndStop(Path home) throws IOException {
        Files.createDirectories(home);
        Path owner = home.resolve("fleet.pid");
        if (Files.isRegularFile(owner)) {
            Optional<ProcessHandle> running = pidIn(owner).flatMap(ProcessHandle::of)
                    .filter(ProcessHandle::isAlive).filter(p -> p.pid() != ProcessHandle.current().pid())
                    .filter(p -> commandLine(p).contains("java"));
            if (running.isPresent()) {
                throw new IllegalStateException("another sdfleet (pid " + running.get().pid() + ") is running with its"
                        + " data in " + home + "; stop it first, or give this one its own SDFLEET_HOME");
            }
        }
        if (pidIn(owner).orElse(-1L) == ProcessHandle.current().pid()) {
            return List.of(); // this JVM's own servers, started earlier: not orphans
        }
        Files.writeString(owner, ProcessHandle.current().pid() + "\n");
        List<String> stopped = new ArrayList<>();
        // PostgreSQL's lock file: the postmaster's pid on its first line
        Path postgresData = home.resolve("postgres");
        stopIfRunning(postgresData.resolve("postmaster.pid"), "postgres")
                .ifPresent(pid -> stopped.add("stopped an orphaned embedded PostgreSQL (pid " + pid + ", data "
                        + postgresData + ") left by an earlier run that did not shut down"));
        Path s3Data = home.resolve("s3");
        stopIfRunning(S3ProxyServer.pidFile(s3Data), "s3proxy")
                .ifPresent(pid -> stopped.add("stopped an orphaned embedded S3Proxy (pid " + pid + ", data "
                        + s3Data + ") left by an earlier run that did not shut down"));
        Files.deleteIfExists(S3ProxyServer.pidFile(s3Data));
        return stopped;
    }

    /**
     * The pid in {@code pidFile}, stopped (SIGTERM, then SIGKILL after a grace period), when that process is alive
     * and is the server named (a recycled pid of some other program is left alone).
     */
    private static Optional<Long> stopIfRunning(Path pidFile, String commandMarker) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        Optional<Long> recorded = pidIn(pidFile);
        if (recorded.isEmpty()) {
            return Optional.empty();
        }
        long pid = recorded.get();
        Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> commandLine(p).contains(commandMarker));
        if (process.isEmpty()) {
            return Optional.empty();
        }
        ProcessHandle orphan = process.get();
        orphan.destroy();
        try {
            orphan.onExit().get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            orphan.destroyForcibly();
            orphan.onExit().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping orphaned process " + pid, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot wait for orphaned process " + pid, e);
        }
        return Optional.of(pid);
    }

    /** The process id on the first line of a pid file, if it holds one. */
    private static Optional<Long> pidIn(Path pidFile) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readAllLines(pidFile).getFirst().trim()));
        } catch (NumberFormatException | NoSuchElementException e) {
            return Optional.empty();
        }
    }

    /** The process's command line, or its command, as far as the system shows it. */
    private static String commandLine(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        return info.commandLine().orElse(info.command().orElse("")).toLowerCase(Locale.ROOT);
    }
}

package io.sdfleet.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Podman for the deployment tests, with the settings scripts/deploy/podman-env.sh writes (runc, lowered ulimits):
 * availability checks that skip the tests with a reason, and commands run with their output in a log file.
 */
final class Podman {

    /** The deployment tests run wherever their tools work; {@code SDFLEET_DEPLOY_TEST=false} (or {@code -Dsdfleet.deploy.test=false}) turns them off. */
    static final String SWITCH = "SDFLEET_DEPLOY_TEST";

    private Podman() {
    }

    /** The repository's root (the chart may be another copy, {@code -Dsdfleet.chart}). */
    static Path repo() {
        String configured = System.getProperty("sdfleet.repo");
        if (configured != null) return Path.of(configured);
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("docker-compose.yml"))) return p;
        }
        throw new IllegalStateException("no repository root (docker-compose.yml) above " + Path.of("").toAbsolutePath());
    }

    static Path work() {
        Path work = repo().resolve("deploy-tests/target/deploy");
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return work;
    }

    static Map<String, String> env() {
        return Map.of("SDFLEET_DEPLOY_WORK", work().toString(), "CONTAINERS_CONF", work().resolve("containers.conf").toString());
    }

    /**
     * A JUnit assumption whose reason is also printed: an assumption failing in {@code @BeforeAll} shows in Maven's
     * output only as a class with no tests run.
     */
    static void assume(boolean condition, String reason) {
        if (!condition) System.err.println("[deploy-tests] SKIPPED: " + reason);
        assumeTrue(condition, reason);
    }

    /** Skips (JUnit assumption) unless the tests are switched on and podman, runc and the given tools work here. */
    static void assumeUsable(String... tools) {
        boolean off = "false".equalsIgnoreCase(System.getenv(SWITCH))
                || "false".equalsIgnoreCase(System.getProperty("sdfleet.deploy.test"));
        assume(!off, "deployment tests are off (" + SWITCH + "=false)");
        List<String> missing = new ArrayList<>();
        for (String tool : tools) {
            if (!onPath(tool)) missing.add(tool);
        }
        assume(missing.isEmpty(), "deployment tests skipped: not installed: " + String.join(", ", missing)
                + " (Debian: apt-get install podman runc podman-compose debootstrap)");
        assume(isRoot(), "deployment tests skipped: they need root (debootstrap, podman's bridge network)");
        Result info = run(Duration.ofMinutes(1), work().resolve("podman-info.log"), "bash", "-c",
                ". scripts/deploy/podman-env.sh && podman info --format '{{.Host.OCIRuntime.Name}}'");
        assume(info.ok(), "deployment tests skipped: podman does not work here: " + info.tail());
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    static boolean isRoot() {
        try {
            return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether nothing listens on the port (any address): binding 0.0.0.0 succeeds. */
    static boolean portFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort(int preferred) {
        if (portFree(preferred)) return preferred;
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Result(int exit, Path log) {
        boolean ok() {
            return exit == 0;
        }

        String tail() {
            try {
                List<String> lines = Files.readAllLines(log);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    /** Runs a command in the repository, with podman's settings and the extra environment, output to the log. */
    static Result run(Duration timeout, Path log, Map<String, String> extraEnv, String... command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(repo().toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env());
        builder.environment().putAll(extraEnv);
        try {
            Process process = builder.start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroy);
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
                Files.writeString(log, "\n(killed after " + timeout + ")\n", java.nio.file.StandardOpenOption.APPEND);
                return new Result(124, log);
            }
            return new Result(process.exitValue(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result run(Duration timeout, Path log, String... command) {
        return run(timeout, log, Map.of(), command);
    }

    /** Builds (or keeps) every image: scripts/deploy/build-images.sh. */
    static void buildImages() {
        Path log = work().resolve("build-images.log");
        Result result = run(Duration.ofMinutes(60), log, "scripts/deploy/build-images.sh");
        if (!result.ok()) throw new AssertionError("scripts/deploy/build-images.sh failed (" + log + "):\n" + result.tail());
    }
}

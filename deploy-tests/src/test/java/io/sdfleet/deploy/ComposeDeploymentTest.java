package io.sdfleet.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, unchanged, brought up with podman-compose on images built here without Docker Hub
 * (scripts/deploy/build-images.sh): a user and key made with the admin key, an A1111 txt2img that must return a
 * PNG, then everything torn down. Skipped with the reason where podman is missing or {@link Podman#SWITCH} is false.
 *
 * <p>podman-compose 1.0.3 (Debian 12) knows no profiles, so the services are named on the command line (all but
 * worker-gpu), and no depends_on conditions: the services' restart: on-failure covers a broker not yet up.
 */
@Timeout(value = 75, unit = TimeUnit.MINUTES)
class ComposeDeploymentTest {

    static final String PROJECT = "sdfleet-deploy";
    static final List<String> SERVICES = List.of("rabbitmq", "postgres", "minio", "storage", "scheduler", "worker", "gateway");
    static final List<Path> created = new ArrayList<>();
    static Map<String, String> env;
    static Path reference;
    static Path logs;
    static boolean up;

    @BeforeAll
    static void bringUp() throws IOException {
        Podman.assumeUsable("podman", "podman-compose", "runc", "debootstrap");
        for (int port : new int[] {15672, 9001}) {
            Podman.assume(Podman.portFree(port), "deployment test skipped: docker-compose.yml publishes port " + port
                    + ", which something on this machine already uses");
        }
        reference = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
        Path checkpoint = reference.resolve("mini_sd15_fp32.safetensors");
        Podman.assume(Files.isRegularFile(checkpoint) && Files.isDirectory(reference.resolve("clip-tokenizer")),
                "deployment test skipped: no reference checkpoint at " + checkpoint.toAbsolutePath());
        logs = Podman.work().resolve("compose");
        KubePlayDeploymentTest.deleteTree(logs); // an earlier run's
        Files.createDirectories(logs);

        Podman.buildImages();

        env = new LinkedHashMap<>();
        env.put("SDFLEET_INTERNAL_TOKEN", random(24));
        env.put("SDFLEET_ADMIN_KEY", "sdf_" + random(20));
        env.put("SDFLEET_PORT", Integer.toString(Podman.freePort(7860)));
        compose(Duration.ofMinutes(2), "down", "-v"); // leftovers of an earlier run
        List<String> upArgs = new ArrayList<>(List.of("up", "-d"));
        upArgs.addAll(SERVICES);
        up = true;
        Podman.Result result = compose(Duration.ofMinutes(10), upArgs.toArray(String[]::new));
        if (!result.ok()) throw new AssertionError("podman-compose up failed:\n" + result.tail());
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (up) {
            for (String service : SERVICES) {
                Podman.run(Duration.ofMinutes(1), logs.resolve(service + ".log"), "podman", "logs", PROJECT + "_" + service + "_1");
            }
            compose(Duration.ofMinutes(5), "down", "-v");
            Podman.run(Duration.ofMinutes(1), logs.resolve("down.log"), "podman", "network", "rm", "-f", PROJECT + "_default");
        }
        for (Path p : created.reversed()) Files.deleteIfExists(p);
    }

    /** The compose file's healthchecks, run as podman would (without systemd podman runs none by itself). */
    @Test
    void theHealthchecksPass() throws InterruptedException {
        for (String service : List.of("rabbitmq", "postgres")) {
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            Podman.Result result;
            do {
                result = Podman.run(Duration.ofMinutes(1), logs.resolve("healthcheck-" + service + ".log"),
                        "podman", "healthcheck", "run", PROJECT + "_" + service + "_1");
                if (result.ok()) break;
                Thread.sleep(3000);
            } while (Instant.now().isBefore(deadline));
            assertThat(result.ok()).as("healthcheck of %s:\n%s", service, result.tail()).isTrue();
        }
    }

    /**
     * The first run as a team sees it: with ./models empty a txt2img is refused saying where a checkpoint goes;
     * once one is there (with no SDFLEET_DEFAULT_MODEL: it is the default) the same call returns a PNG.
     */
    @Test
    void firstRunSaysWhereACheckpointGoesThenTxt2imgReturnsAPng() throws Exception {
        FleetClient gateway = new FleetClient("http://127.0.0.1:" + env.get("SDFLEET_PORT"));
        gateway.awaitReady(Duration.ofMinutes(5), "container logs in " + logs);
        String apiKey = gateway.userKey(env.get("SDFLEET_ADMIN_KEY"), "deploy-test");
        Path models = Podman.repo().resolve("models");
        if (!hasCheckpoint(models)) { // a developer's own checkpoints would be the default instead
            var refused = gateway.txt2img(apiKey);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("no checkpoint", "models folder");
        }

        // The compose file mounts ./models: the mini checkpoint and a tokenizer/ folder, removed again afterwards.
        copyIfAbsent(reference.resolve("mini_sd15_fp32.safetensors"), models.resolve("mini_sd15_fp32.safetensors"));
        Path tokenizer = models.resolve("tokenizer");
        if (!Files.exists(tokenizer)) {
            Files.createDirectories(tokenizer);
            created.add(tokenizer);
            try (Stream<Path> files = Files.list(reference.resolve("clip-tokenizer"))) {
                for (Path f : files.toList()) copyIfAbsent(f, tokenizer.resolve(f.getFileName().toString()));
            }
        }
        Files.write(logs.resolve("txt2img.png"), gateway.txt2imgPng(apiKey));
    }

    static Podman.Result compose(Duration timeout, String... args) {
        // -Dsdfleet.compose.file: another compose file beside docker-compose.yml (e.g. an earlier version, to see it fail)
        String file = System.getProperty("sdfleet.compose.file", "docker-compose.yml");
        List<String> command = new ArrayList<>(List.of("podman-compose", "-p", PROJECT, "-f", file));
        command.addAll(List.of(args));
        return Podman.run(timeout, logs.resolve("compose.log"), env, command.toArray(String[]::new));
    }

    static boolean hasCheckpoint(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).anyMatch(n -> n.endsWith(".safetensors") || n.endsWith(".ckpt"));
        }
    }

    static void copyIfAbsent(Path from, Path to) throws IOException {
        if (Files.exists(to)) return;
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
        created.add(to);
    }

    static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}

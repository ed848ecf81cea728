package io.sdfleet.deploy;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker-compose.yml, unchanged, brought up with podman-compose on images built here without Docker Hub
 * (scripts/deploy/build-images.sh): a user and key made with the admin key, an A1111 txt2img that must return a
 * PNG, then everything torn down. Opt-in ({@link Podman#SWITCH}); skipped with the reason where podman is missing.
 *
 * <p>podman-compose 1.0.3 (Debian 12) knows no profiles, so the services are named on the command line (all but
 * worker-gpu), and no depends_on conditions: the services' restart: on-failure covers a broker not yet up.
 */
@Timeout(value = 75, unit = TimeUnit.MINUTES)
class ComposeDeploymentTest {

    static final String PROJECT = "sdfleet-deploy";
    static final List<String> SERVICES = List.of("rabbitmq", "postgres", "minio", "storage", "scheduler", "worker", "gateway");
    static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final List<Path> created = new ArrayList<>();
    static Map<String, String> env;
    static Path logs;
    static boolean up;

    @BeforeAll
    static void bringUp() throws IOException {
        Podman.assumeUsable("podman", "podman-compose", "runc", "debootstrap");
        for (int port : new int[] {15672, 9001}) {
            assumeTrue(Podman.portFree(port), "deployment test skipped: docker-compose.yml publishes port " + port
                    + ", which something on this machine already uses");
        }
        Path reference = Path.of(System.getProperty("sdfleet.reference", "../../shared/reference"));
        Path checkpoint = reference.resolve("mini_sd15_fp32.safetensors");
        assumeTrue(Files.isRegularFile(checkpoint) && Files.isDirectory(reference.resolve("clip-tokenizer")),
                "deployment test skipped: no reference checkpoint at " + checkpoint.toAbsolutePath());
        logs = Podman.work().resolve("compose");
        Files.createDirectories(logs);

        Podman.buildImages();

        // The compose file mounts ./models: the mini checkpoint and a tokenizer/ folder, removed again afterwards.
        Path models = Podman.repo().resolve("models");
        copyIfAbsent(checkpoint, models.resolve("mini_sd15_fp32.safetensors"));
        Path tokenizer = models.resolve("tokenizer");
        if (!Files.exists(tokenizer)) {
            Files.createDirectories(tokenizer);
            created.add(tokenizer);
            try (Stream<Path> files = Files.list(reference.resolve("clip-tokenizer"))) {
                for (Path f : files.toList()) copyIfAbsent(f, tokenizer.resolve(f.getFileName().toString()));
            }
        }

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

    @Test
    void txt2imgThroughTheGatewayReturnsAPng() throws Exception {
        String base = "http://127.0.0.1:" + env.get("SDFLEET_PORT");
        awaitOk(base + "/actuator/health/readiness", Duration.ofMinutes(5));

        String admin = env.get("SDFLEET_ADMIN_KEY");
        HttpResponse<String> user = post(base + "/api/v1/admin/users", admin, "{\"name\":\"deploy-test\"}");
        assertThat(user.statusCode()).as(user.body()).isEqualTo(201);
        HttpResponse<String> key = post(base + "/api/v1/admin/users/deploy-test/keys", admin, "{\"label\":\"deploy test\"}");
        assertThat(key.statusCode()).as(key.body()).isEqualTo(201);
        String apiKey = (String) json(key.body()).get("key");

        String body = "{\"prompt\":\"a lighthouse at dusk\",\"steps\":2,\"width\":64,\"height\":64,\"seed\":7,"
                + "\"sampler_name\":\"Euler\",\"cfg_scale\":7}";
        HttpResponse<String> image = null;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        // The worker loads the checkpoint when it starts; until it has announced itself the gateway may answer 503.
        while (Instant.now().isBefore(deadline)) {
            image = http.send(HttpRequest.newBuilder(URI.create(base + "/sdapi/v1/txt2img"))
                    .timeout(Duration.ofMinutes(5)).header("Authorization", "Bearer " + apiKey)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (image.statusCode() != 503) break;
            Thread.sleep(5000);
        }
        assertThat(image).isNotNull();
        assertThat(image.statusCode()).as(image.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<String> images = (List<String>) json(image.body()).get("images");
        assertThat(images).hasSize(1);
        byte[] png = Base64.getDecoder().decode(images.getFirst());
        assertThat(png).startsWith(PNG);
        Files.write(logs.resolve("txt2img.png"), png);
    }

    static Podman.Result compose(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("podman-compose", "-p", PROJECT, "-f", "docker-compose.yml"));
        command.addAll(List.of(args));
        return Podman.run(timeout, logs.resolve("compose.log"), env, command.toArray(String[]::new));
    }

    static void awaitOk(String url, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(3000);
        }
        throw new AssertionError(url + " not ready after " + timeout + ": " + last + " (container logs in " + logs + ")");
    }

    static HttpResponse<String> post(String url, String bearer, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + bearer).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> json(String body) {
        return (Map<String, Object>) new Yaml().load(body);
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

package io.sdfleet.launcher;

import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.starter.RandomModel;
import io.sdfleet.gateway.auth.Secrets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Local mode ({@code ./sd fleet}): the whole fleet on one machine with only a JDK. PostgreSQL, the AMQP broker and
 * the S3 API are taken from the environment when named there ({@code SDFLEET_DB_URL}, {@code SDFLEET_AMQP_HOST},
 * {@code SDFLEET_S3_ENDPOINT}), else run embedded with their data under {@code .fleet/}. Checkpoints come from
 * {@code models/}; with none there, a small random-weight model is created so everything runs (its images are noise).
 * Every port listens on 127.0.0.1 only unless {@code --listen} (or {@code SDFLEET_LISTEN=true}) opens the gateway to
 * the network, as A1111's {@code --listen} does. The services share an internal credential: SDFLEET_INTERNAL_TOKEN,
 * else a fresh one per run, written to {@code .fleet/internal-token} (readable by its owner only) for scraping meters.
 */
public final class LocalFleet {

    private LocalFleet() {
    }

    public static void main(String[] args) throws Exception {
        Path home = Path.of(env("SDFLEET_HOME", ".fleet")).toAbsolutePath();
        Path models = Path.of(env("SDFLEET_MODELS_DIR", "models")).toAbsolutePath();
        int port = Integer.parseInt(env("GATEWAY_PORT", "7860"));
        int workers = Integer.parseInt(env("SDFLEET_WORKERS", "1"));
        boolean listen = List.of(args).contains("--listen") || Boolean.parseBoolean(System.getenv("SDFLEET_LISTEN"));
        for (String arg : args) {
            if (!arg.equals("--listen")) {
                throw new IllegalArgumentException("unknown option " + arg + " (./sd fleet takes only --listen;"
                        + " the rest is set by environment variables, see README)");
            }
        }
        List<AutoCloseable> resources = new ArrayList<>();
        Runnable stopAll = () -> {
            List<AutoCloseable> reverse = new ArrayList<>(resources);
            Collections.reverse(reverse);
            for (AutoCloseable r : reverse) {
                try {
                    r.close();
                } catch (Exception e) {
                    System.err.println("while stopping: " + e.getMessage());
                }
            }
        };
        try {
            String model = defaultModel(models);

            Infrastructure infra = LocalInfrastructure.start(home, resources);
            Path tokenizer = System.getenv("SDFLEET_TOKENIZER") != null ? Path.of(System.getenv("SDFLEET_TOKENIZER")) : null;
            Fleet.Options options = new Fleet.Options(models, model, tokenizer, port, workers)
                    .withInternalToken(InternalTokenFile.tokenFor(home, System.getenv("SDFLEET_INTERNAL_TOKEN")));
            if (listen) {
                options = options.listeningOnAllInterfaces();
            }
            // SDFLEET_AUTH=true turns authentication on; the admin key is SDFLEET_ADMIN_KEY or printed below.
            String adminKey = null;
            if (Boolean.parseBoolean(System.getenv("SDFLEET_AUTH"))) {
                String configured = System.getenv("SDFLEET_ADMIN_KEY");
                adminKey = configured != null && !configured.isBlank() ? configured
                        : Secrets.newApiKey();
                options = options.withAdminKey(adminKey);
            }
            Fleet fleet = Fleet.start(infra, options);
            resources.add(fleet);

            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("\nsdfleet: stopping ...");
                stopAll.run();
                stopped.countDown();
            }));
            if (listen) {
                System.out.println(adminKey == null
                        ? "sdfleet: WARNING: listening on every network interface with authentication off: anyone who"
                        + " can reach this machine can generate and see every image (SDFLEET_AUTH=true turns it on)"
                        : "sdfleet: the gateway listens on every network interface (--listen)");
            }
            System.out.printf("""

                    sdfleet is running: http://127.0.0.1:%d  (model: %s, %d worker%s)
                    try:
                      curl -s http://127.0.0.1:%d/sdapi/v1/txt2img -H 'Content-Type: application/json' \\
                        -d '{"prompt": "a lighthouse at dusk", "steps": 20, "width": 256, "height": 256}' | head -c 300
                    %s
                    Ctrl-C stops everything.
                    """, port, model, workers, workers == 1 ? "" : "s", port, adminKey == null
                    ? "authentication is off (SDFLEET_AUTH=true turns it on); callers may name themselves with X-Sdfleet-User"
                    : "authentication is on; admin API key: " + adminKey + "  (add -H 'Authorization: Bearer <key>')");
            stopped.await();
        } catch (Exception | Error e) {
            stopAll.run();
            throw e;
        }
    }

    /** SDFLEET_DEFAULT_MODEL, else the first checkpoint in models/, else the random starter model created there. */
    private static String defaultModel(Path models) throws Exception {
        String configured = System.getenv("SDFLEET_DEFAULT_MODEL");
        if (configured != null) {
            return configured;
        }
        Files.createDirectories(models);
        Optional<String> first = CheckpointFiles.firstIn(models);
        if (first.isPresent()) {
            return first.get();
        }
        System.out.println("sdfleet: no checkpoint in " + models + "; creating a small random-weight model"
                + " (its images are noise until you put a real checkpoint there)");
        return RandomModel.ensure(models).getFileName().toString();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}

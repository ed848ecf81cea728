package io.sdfleet.launcher.bench;

import io.sdfleet.launcher.Fleet;
import io.sdfleet.launcher.Infrastructure;
import io.sdfleet.launcher.LocalInfrastructure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The fleet's own cost: for a burst of small txt2img requests through the A1111 API, end-to-end seconds per image
 * minus the workers' pipeline seconds per image (queueing, messaging, storage, HTTP), and images per second, with
 * 1 and then 2 workers in one run. Workers share the machine's cores, so on a small CPU two workers mostly show
 * the fleet's overhead, not a speed-up.
 *
 * <p>Arguments: {@code MODELS_DIR MODEL [TOKENIZER] [REQUESTS] [STEPS]}; infrastructure from the environment or
 * embedded, as in local mode.
 */
public final class FleetBenchmark {

    private FleetBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path models = Path.of(args[0]).toAbsolutePath();
        String model = args[1];
        Path tokenizer = args.length > 2 && !args[2].isBlank() ? Path.of(args[2]).toAbsolutePath() : null;
        int requests = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int steps = args.length > 4 ? Integer.parseInt(args[4]) : 4;
        List<AutoCloseable> infra = new ArrayList<>();
        try {
            Infrastructure base = LocalInfrastructure.start(Path.of(".fleet-bench").toAbsolutePath(), infra);
            for (int workers : new int[] {1, 2}) {
                Infrastructure run = new Infrastructure(base.jdbcUrl(), base.dbUser(), base.dbPassword(), base.amqpHost(),
                        base.amqpPort(), base.amqpUser(), base.amqpPassword(), base.s3Endpoint(), base.s3AccessKey(),
                        base.s3SecretKey(), base.s3Bucket(), "bench-" + UUID.randomUUID().toString().substring(0, 6) + ".");
                try (Fleet fleet = Fleet.start(run, new Fleet.Options(models, model, tokenizer, 0, workers))) {
                    measure(fleet, run, workers, requests, steps);
                }
            }
        } finally {
            Collections.reverse(infra);
            for (AutoCloseable c : infra) {
                c.close();
            }
        }
    }

    private static void measure(Fleet fleet, Infrastructure infra, int workers, int requests, int steps) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"prompt\": \"a lighthouse\", \"steps\": " + steps + ", \"width\": 64, \"height\": 64}";
        URI uri = URI.create("http://127.0.0.1:" + fleet.gatewayPort() + "/sdapi/v1/txt2img");
        String user = "bench-" + workers;
        // Warm-up: loads the model on every worker.
        for (int i = 0; i < workers; i++) {
            send(http, uri, body, "warmup").join();
        }
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < requests; i++) {
            calls.add(send(http, uri, body, user));
        }
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            if (call.join().statusCode() != 200) {
                throw new IllegalStateException("request failed: " + call.join().body());
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double pipeline = 0;
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(), infra.dbUser(), infra.dbPassword());
             var s = c.prepareStatement("SELECT sum(pipeline_seconds), count(*) FROM images WHERE user_name = ?")) {
            s.setString(1, user);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                pipeline = rs.getDouble(1) / rs.getLong(2); // a job's pipeline time, per image of batch 1
            }
        }
        double perImage = wall * workers / requests; // worker-seconds spent per image, end to end
        System.out.printf(Locale.ROOT, "{\"workers\": %d, \"images\": %d, \"wall_s\": %.2f, \"images_per_s\": %.3f, "
                        + "\"end_to_end_worker_s_per_image\": %.3f, \"pipeline_s_per_image\": %.3f, \"overhead_s_per_image\": %.3f}%n",
                workers, requests, wall, requests / wall, perImage, pipeline, perImage - pipeline);
    }

    private static CompletableFuture<HttpResponse<String>> send(HttpClient http, URI uri, String body, String user) {
        return http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .header("X-Sdfleet-User", user).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

package io.sdfleet.launcher;

import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A drill's steady load: each of the three users sends one A1111 txt2img call and waits for it (sync), and one
 * native request whose server-sent events it follows to the end (reconnecting, as a client does, when a gateway
 * goes away). Every prompt carries the drill's tag, so the drill finds exactly its own requests afterwards.
 */
final class DrillLoad {

    /** Images per request: A1111 calls are 2 batches of 1, native requests 2 batches of 2. */
    static final int SYNC_IMAGES = 2;
    static final int NATIVE_IMAGES = 4;

    private final DrillRig rig;
    final String tag;
    private final int steps;
    private final List<Thread> callers = new ArrayList<>();
    /** A1111 calls still waiting for their answer. */
    final AtomicInteger syncWaiting = new AtomicInteger();
    /** How each A1111 call ended: 200 with all its images, or what it got instead. */
    final Map<String, String> syncOutcomes = new ConcurrentHashMap<>();
    /** The last event each native request's stream delivered (finished / failed, or what it got to). */
    final Map<String, String> sseOutcomes = new ConcurrentHashMap<>();

    private DrillLoad(DrillRig rig, String tag, int steps) {
        this.rig = rig;
        this.tag = tag;
        this.steps = steps;
    }

    /**
     * Starts the load: A1111 calls on gateway {@code syncGateway}, native requests on {@code nativeGateway}, their
     * event streams on {@code eventsGateway} (another replica than the one that accepted them, where there are two).
     */
    static DrillLoad start(DrillRig rig, String tag, int steps, int syncGateway, int nativeGateway, int eventsGateway)
            throws Exception {
        DrillLoad load = new DrillLoad(rig, tag, steps);
        for (String user : DrillRig.USERS) {
            load.syncCall(user, syncGateway);
            load.nativeRequest(user, nativeGateway, eventsGateway);
        }
        return load;
    }

    private void syncCall(String user, int gateway) {
        syncWaiting.incrementAndGet();
        Thread caller = Thread.ofVirtual().start(() -> {
            String outcome;
            try {
                HttpResponse<String> answer = rig.send(user, gateway, "POST", "/sdapi/v1/txt2img", """
                        {"prompt": "%s sync %s", "seed": 7, "steps": %d, "width": 64, "height": 64,
                         "n_iter": 2, "batch_size": 1}""".formatted(tag, user, steps));
                JsonNode images = answer.statusCode() == 200 ? DrillRig.JSON.readTree(answer.body()).path("images") : null;
                outcome = images != null && images.size() == SYNC_IMAGES ? "200 with " + SYNC_IMAGES + " images"
                        : answer.statusCode() + " " + answer.body().substring(0, Math.min(200, answer.body().length()));
            } catch (Exception cut) {
                outcome = "cut off: " + cut;
            } finally {
                syncWaiting.decrementAndGet();
            }
            syncOutcomes.put(user, outcome);
        });
        callers.add(caller);
    }

    private void nativeRequest(String user, int gateway, int eventsGateway) throws Exception {
        HttpResponse<String> accepted = rig.send(user, gateway, "POST", "/api/v1/generations", """
                {"prompt": "%s native %s", "seed": 9, "steps": %d, "width": 64, "height": 64,
                 "n_iter": 2, "batch_size": 2}""".formatted(tag, user, steps));
        if (accepted.statusCode() != 202) {
            throw new AssertionError(tag + ": native request of " + user + " refused: " + accepted.body());
        }
        String id = DrillRig.JSON.readTree(accepted.body()).get("id").asString();
        callers.add(Thread.ofVirtual().start(() -> follow(user, id, eventsGateway)));
    }

    /** Reads the request's events until finished or failed; reconnects (bounded) when the stream breaks. */
    private void follow(String user, String id, int gateway) {
        String last = "none";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<InputStream> stream = rig.http.send(HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + rig.gatewayPort(gateway) + "/api/v1/generations/" + id + "/events"))
                        .header("Authorization", "Bearer " + rig.keys.get(user)).timeout(Duration.ofSeconds(600))
                        .build(), HttpResponse.BodyHandlers.ofInputStream());
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.startsWith("event:")) {
                            last = line.substring(6).trim();
                            if (last.equals("finished") || last.equals("failed")) {
                                sseOutcomes.put(id, last);
                                return;
                            }
                        }
                    }
                }
            } catch (Exception broken) {
                last = last + " (stream broke: " + broken.getClass().getSimpleName() + ")";
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                break;
            }
        }
        sseOutcomes.put(id, "no end seen; last " + last);
    }

    /** Waits (bounded) for every caller to be done. */
    void awaitCallers(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread caller : callers) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                caller.join(Duration.ofNanos(left));
            }
        }
    }
}

package io.sdfleet.gateway.generation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * storage-service is the truth about which images exist. Events that arrived while this gateway was down are
 * lost, so every few seconds each unfinished request older than a grace period is compared with what storage
 * holds, and images stored meanwhile are counted (finishing the request when they complete it).
 */
@Component
public class StorageReconciler {

    private static final Logger log = LoggerFactory.getLogger(StorageReconciler.class);
    private static final Duration GRACE = Duration.ofSeconds(5);

    private final Generations generations;
    private final StorageReader storage;

    public StorageReconciler(Generations generations, StorageReader storage) {
        this.generations = generations;
        this.storage = storage;
    }

    @Scheduled(fixedDelayString = "${sdfleet.gateway.reconcile-millis:3000}")
    public void reconcile() {
        Instant cutoff = Instant.now().minus(GRACE);
        for (Generation g : generations.active()) {
            if (g.acceptedAt().isAfter(cutoff)) {
                continue;
            }
            try {
                List<Integer> stored = new ArrayList<>();
                for (JsonNode row : storage.list(g.id())) {
                    stored.add(row.path("imageIndex").asInt(row.path("image_index").asInt(-1)));
                }
                stored.removeIf(i -> i < 0);
                if (g.reconcile(stored)) {
                    generations.saved(g);
                    log.info("request {}: {} images found in storage after the fact", g.id(), stored.size());
                }
            } catch (RuntimeException e) {
                log.debug("could not reconcile {} with storage: {}", g.id(), e.getMessage());
            }
        }
    }
}

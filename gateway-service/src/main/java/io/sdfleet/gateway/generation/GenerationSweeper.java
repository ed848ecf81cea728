package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.GenerationRequested;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Sees to the generations nobody else will, on one replica at a time (the holder of a lease in PostgreSQL, taken
 * over by another replica once it lapses):
 * <ul>
 * <li>a request whose row was inserted but whose publishing no gateway saw confirmed (its gateway died in between)
 * is published again; the scheduler plans a request id once, so one that did reach the queue is not run twice;</li>
 * <li>storage-service is the truth about which images exist: images it holds that the row does not count (their
 * events were lost with a broker) are recorded, finishing the request when they complete it;</li>
 * <li>a request nothing happened to for {@code sdfleet.gateway.stale-after-seconds} (600) is published again: the
 * scheduler plans it if it never did (its message was lost), and if all its jobs are over it sends their outcomes
 * again, which ends it here; one with work still to do (waiting its fair turn) is left as it is.</li>
 * </ul>
 */
@Component
class GenerationSweeper {

    private static final Logger log = LoggerFactory.getLogger(GenerationSweeper.class);
    /** Longer than any confirm takes: younger unpublished rows may still be in their gateway's hands. */
    private static final Duration UNPUBLISHED_FOR = Duration.ofSeconds(15);
    /** Events of a younger request may still be on their way. */
    private static final Duration RECONCILE_AFTER = Duration.ofSeconds(5);
    private static final Duration LEASE = Duration.ofSeconds(15);

    private final String replica = UUID.randomUUID().toString();
    private final JdbcTemplate jdbc;
    private final GenerationStore store;
    private final RequestPublisher publisher;
    private final StorageReader storage;
    private final Duration staleAfter;

    GenerationSweeper(JdbcTemplate jdbc, GenerationStore store, RequestPublisher publisher, StorageReader storage,
                      @Value("${sdfleet.gateway.stale-after-seconds:600}") long staleAfterSeconds) {
        this.staleAfter = Duration.ofSeconds(staleAfterSeconds);
        this.jdbc = jdbc;
        this.store = store;
        this.publisher = publisher;
        this.storage = storage;
    }

    @Scheduled(fixedDelayString = "${sdfleet.gateway.reconcile-millis:3000}")
    void sweep() {
        try {
            if (holdLease()) {
                publishUnpublished();
                countImagesInStorage();
                askAboutStale();
            }
        } catch (DataAccessException e) { // the database is away: the next sweep tries again
            log.warn("no sweep now: {}", e.getMessage());
        }
    }

    private boolean holdLease() {
        return jdbc.update("INSERT INTO sweeper_lease (id, holder, until) VALUES (1, ?, now() + ?::interval) "
                + "ON CONFLICT (id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until "
                + "WHERE sweeper_lease.holder = EXCLUDED.holder OR sweeper_lease.until < now()",
                replica, LEASE.toSeconds() + " seconds") > 0;
    }

    private void publishUnpublished() {
        for (GenerationStore.Unpublished row : store.unpublished(UNPUBLISHED_FOR)) {
            Generation.Snapshot g = row.generation();
            try {
                publisher.publish(new GenerationRequested(g.id(), g.user(), g.acceptedAt(), g.parameters(),
                        row.priority()));
                store.published(g.id());
                log.info("request {} of {}: published again (its gateway never saw it confirmed)", g.id(), g.user());
            } catch (RuntimeException e) {
                log.warn("could not publish request {} again: {}", g.id(), e.toString());
            }
        }
    }

    private void askAboutStale() {
        for (GenerationStore.Unpublished row : store.stale(staleAfter)) {
            Generation.Snapshot g = row.generation();
            try {
                publisher.publish(new GenerationRequested(g.id(), g.user(), g.acceptedAt(), g.parameters(),
                        row.priority()));
                log.info("request {} of {}: nothing happened for {} s; asked the scheduler again", g.id(), g.user(),
                        staleAfter.toSeconds());
            } catch (RuntimeException e) {
                log.warn("could not ask about request {} again: {}", g.id(), e.toString());
            }
        }
    }

    private void countImagesInStorage() {
        Instant cutoff = Instant.now().minus(RECONCILE_AFTER);
        for (Generation.Snapshot g : store.active()) {
            if (g.acceptedAt().isAfter(cutoff)) {
                continue;
            }
            try {
                List<Integer> stored = new ArrayList<>();
                for (JsonNode row : storage.list(g.id())) {
                    stored.add(row.path("imageIndex").asInt(row.path("image_index").asInt(-1)));
                }
                stored.removeIf(i -> i < 0 || g.storedIndexes().contains(i));
                if (!stored.isEmpty()) {
                    store.imagesStored(g.id(), stored);
                    log.info("request {}: {} images found in storage after the fact", g.id(), stored.size());
                }
            } catch (RuntimeException e) {
                log.debug("could not reconcile {} with storage: {}", g.id(), e.getMessage());
            }
        }
    }
}

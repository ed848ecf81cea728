package io.sdfleet.gateway.generation;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.dao.DataAccessException;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;

/**
 * Keeps this replica's live views honest and small: every two seconds the live ones catch up with their rows (so a
 * waiter here learns of an end recorded elsewhere within that time), and every minute views over for
 * {@code sdfleet.gateway.keep-finished-seconds} (300) leave memory, which otherwise grew with every request seen.
 */
@Component
class LiveViewUpkeep {

    private static final Logger log = LoggerFactory.getLogger(LiveViewUpkeep.class);

    private final Generations generations;
    private final Duration keep;

    LiveViewUpkeep(Generations generations, @Value("${sdfleet.gateway.keep-finished-seconds:300}") long keepSeconds) {
        this.generations = generations;
        this.keep = Duration.ofSeconds(keepSeconds);
    }

    @Scheduled(fixedDelayString = "${sdfleet.gateway.catch-up-millis:2000}")
    void catchUp() {
        try {
            generations.catchUp();
        } catch (DataAccessException e) { // the database is away: the views wait for the next round
            log.warn("live views not caught up: {}", e.getMessage());
        }
    }

    @Scheduled(fixedDelayString = "${sdfleet.gateway.forget-finished-millis:60000}")
    void forget() {
        generations.forgetOver(Instant.now(), keep);
    }
}

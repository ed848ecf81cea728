package io.sdfleet.scheduler.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;

/**
 * Every hour the active scheduler forgets requests planned more than {@code sdfleet.scheduler.keep-requests-days}
 * (7) ago whose jobs are all over, so its tables hold what is live and recent rather than every request ever made.
 * (A gateway that still asked about one after that would have it planned afresh.) On a standby the fenced
 * connection refuses, and nothing happens.
 */
@Component
class RequestPruning {

    private static final Logger log = LoggerFactory.getLogger(RequestPruning.class);

    private final SchedulerStore store;
    private final Duration keep;

    RequestPruning(SchedulerStore store, @Value("${sdfleet.scheduler.keep-requests-days:7}") long keepDays) {
        this.store = store;
        this.keep = Duration.ofDays(keepDays);
    }

    @Scheduled(fixedDelayString = "${sdfleet.scheduler.prune-interval-ms:3600000}",
            initialDelayString = "${sdfleet.scheduler.prune-interval-ms:3600000}")
    void prune() {
        try {
            int pruned = store.prune(Instant.now().minus(keep));
            if (pruned > 0) {
                log.info("forgot {} requests over for more than {} days", pruned, keep.toDays());
            }
        } catch (RuntimeException notActive) {
            log.debug("no pruning now: {}", notActive.toString());
        }
    }
}

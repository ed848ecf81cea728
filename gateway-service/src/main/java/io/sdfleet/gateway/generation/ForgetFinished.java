package io.sdfleet.gateway.generation;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;

/**
 * Every minute, generations over for {@code sdfleet.gateway.keep-finished-seconds} (300) leave the gateway's memory,
 * which otherwise grew with every request it ever saw, init images included (PostgreSQL keeps them).
 */
@Component
class ForgetFinished {

    private final Generations generations;
    private final Duration keep;

    ForgetFinished(Generations generations, @Value("${sdfleet.gateway.keep-finished-seconds:300}") long keepSeconds) {
        this.generations = generations;
        this.keep = Duration.ofSeconds(keepSeconds);
    }

    @Scheduled(fixedDelayString = "${sdfleet.gateway.forget-finished-millis:60000}")
    void sweep() {
        generations.forgetOver(Instant.now(), keep);
    }
}

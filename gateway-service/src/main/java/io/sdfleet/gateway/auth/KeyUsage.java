package io.sdfleet.gateway.auth;

import jakarta.annotation.PreDestroy;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each API key was last used, written to PostgreSQL in batches: A1111 clients poll progress several times a
 * second, and one UPDATE per call was a write per poll. The stamp lags by up to one flush interval
 * ({@code sdfleet.gateway.auth.key-usage-flush-millis}); what is pending is written on shutdown too.
 */
@Component
public class KeyUsage {

    private final Map<String, Instant> pending = new ConcurrentHashMap<>();
    private final Users users;

    public KeyUsage(Users users) {
        this.users = users;
    }

    public void used(String keyHash) {
        pending.put(keyHash, Instant.now());
    }

    @Scheduled(fixedDelayString = "${sdfleet.gateway.auth.key-usage-flush-millis:60000}")
    @PreDestroy
    public void flush() {
        for (String keyHash : pending.keySet()) {
            Instant at = pending.remove(keyHash);
            if (at != null) {
                users.stampKeyUse(keyHash, at);
            }
        }
    }
}

package io.sdfleet.gateway.auth;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down credential guessing: each client address, and each user name a wrong password was tried for, may fail
 * a limited number of times per window; beyond that its attempts are refused (429 with Retry-After) before any
 * password is hashed. Counted in fixed windows per key, in this gateway's memory (each replica counts for itself).
 * A user whose name is being guessed at keeps working with API keys; only password attempts wait.
 */
@Component
public class LoginThrottle {

    /** Beyond this many keys, ended windows are dropped before a new key is added. */
    private static final int PRUNE_ABOVE = 10_000;

    private record Window(Instant start, int failures) {
    }

    private final Map<String, Window> byAddress = new ConcurrentHashMap<>();
    private final Map<String, Window> byUser = new ConcurrentHashMap<>();
    private final int perAddress;
    private final int perUser;
    private final Duration window;
    private final Clock clock;

    @Autowired
    public LoginThrottle(AuthProperties properties) {
        this(properties.failedLoginsPerAddress(), properties.failedLoginsPerUser(),
                Duration.ofSeconds(properties.failedLoginWindowSeconds()), Clock.systemUTC());
    }

    LoginThrottle(int perAddress, int perUser, Duration window, Clock clock) {
        this.perAddress = perAddress;
        this.perUser = perUser;
        this.window = window;
        this.clock = clock;
    }

    /** How long this address, or this user name (null for none), must wait before it may try again; empty when not. */
    public Optional<Duration> wait(String address, String userName) {
        Instant now = clock.instant();
        Optional<Duration> forAddress = wait(byAddress, address, perAddress, now);
        if (forAddress.isPresent() || userName == null) {
            return forAddress;
        }
        return wait(byUser, userName, perUser, now);
    }

    /** Counts a failed attempt from this address, and against this user name when one was claimed. */
    public void failed(String address, String userName) {
        Instant now = clock.instant();
        count(byAddress, address, now);
        if (userName != null) {
            count(byUser, userName, now);
        }
    }

    private Optional<Duration> wait(Map<String, Window> windows, String key, int limit, Instant now) {
        Window w = windows.get(key);
        if (w == null || w.failures() < limit) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, w.start().plus(window));
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    private void count(Map<String, Window> windows, String key, Instant now) {
        if (windows.size() > PRUNE_ABOVE) {
            windows.values().removeIf(w -> !w.start().plus(window).isAfter(now));
        }
        windows.compute(key, (k, w) -> w == null || !w.start().plus(window).isAfter(now)
                ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
    }
}

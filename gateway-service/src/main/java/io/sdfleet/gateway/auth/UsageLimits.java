package io.sdfleet.gateway.auth;

import io.sdfleet.gateway.a1111.FieldProblem;
import io.sdfleet.gateway.a1111.InvalidRequestException;
import io.sdfleet.gateway.generation.Generations;
import io.sdfleet.request.GenerationParameters;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Supplier;

/**
 * A user's limits, checked before anything is queued: at most {@code maxConcurrentJobs} batches queued or running
 * at once, and at most {@code maxImagesPerDay} images per UTC day (counted in PostgreSQL, so every gateway replica
 * sees the same count). Over a limit the answer is 429 with the seconds to wait.
 */
@Component
public class UsageLimits {

    private final Generations generations;
    private final Users users;
    private final Clock clock;

    @Autowired
    public UsageLimits(Generations generations, Users users) {
        this(generations, users, Clock.systemUTC());
    }

    UsageLimits(Generations generations, Users users, Clock clock) {
        this.generations = generations;
        this.users = users;
        this.clock = clock;
    }

    /**
     * Admits the request (429 or 400 when it does not fit), then runs {@code submit}; when that fails (the broker
     * refused it, the gateway is shutting down) the images it reserved from today's quota are given back.
     */
    public <T> T admitThen(Caller caller, GenerationParameters p, Supplier<T> submit) {
        Runnable giveBack = admit(caller, p);
        try {
            return submit.get();
        } catch (RuntimeException | Error e) {
            giveBack.run();
            throw e;
        }
    }

    /** Checks and, when it fits, counts the request against today's quota; returns what gives the count back. */
    Runnable admit(Caller caller, GenerationParameters p) {
        if (caller.maxConcurrentJobs() == null) {
            return () -> { }; // authentication off: local development, no quotas
        }
        int active = generations.activeJobsOf(caller.name());
        if (p.batch().count() > caller.maxConcurrentJobs() && active == 0) {
            throw new InvalidRequestException(List.of(new FieldProblem("n_iter", "at most " + caller.maxConcurrentJobs()
                    + " batches at once for " + caller.name())), false);
        }
        if (active + p.batch().count() > caller.maxConcurrentJobs()) {
            throw new LimitExceededException("concurrent jobs", caller.name() + " has " + active
                    + " batches queued or running; the limit is " + caller.maxConcurrentJobs(), 10);
        }
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        if (!users.reserveImages(caller.name(), today, p.imageCount(), caller.maxImagesPerDay())) {
            long untilMidnight = Duration.between(clock.instant(),
                    today.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)).toSeconds();
            throw new LimitExceededException("images per day", caller.name() + " has used "
                    + users.imagesOn(caller.name(), today) + " of " + caller.maxImagesPerDay()
                    + " images today; this request needs " + p.imageCount(), Math.max(1, untilMidnight));
        }
        return () -> users.returnImages(caller.name(), today, p.imageCount());
    }
}

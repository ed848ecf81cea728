package io.sdfleet.gateway.auth;

import io.sdfleet.gateway.a1111.FieldProblem;
import io.sdfleet.gateway.a1111.InvalidRequestException;
import io.sdfleet.gateway.generation.Admission;
import io.sdfleet.gateway.generation.GenerationStore;
import io.sdfleet.gateway.generation.Generations;
import io.sdfleet.request.GenerationParameters;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A user's limits, checked before anything is queued: at most {@code maxConcurrentJobs} batches queued or running
 * at once, and at most {@code maxImagesPerDay} images per UTC day (counted in PostgreSQL, so every gateway replica
 * sees the same count). Over a limit the answer is 429 with the seconds to wait. Images a request does not make
 * (it failed, was cancelled or skipped) are given back when it ends.
 */
@Component
public class UsageLimits {

    private final GenerationStore generations;
    private final Users users;
    private final Clock clock;

    @Autowired
    public UsageLimits(GenerationStore generations, Users users) {
        this(generations, users, Clock.systemUTC());
    }

    UsageLimits(GenerationStore generations, Users users, Clock clock) {
        this.generations = generations;
        this.users = users;
        this.clock = clock;
    }

    /**
     * The admission of a request of {@code caller}: checked by {@link Generations#submit} under the user's lock,
     * in the transaction that inserts it, so the count includes every replica's requests and cannot change meanwhile.
     */
    public Admission of(Caller caller, GenerationParameters p) {
        return () -> admit(caller, p);
    }

    /**
     * 429 or 400 when the request does not fit; otherwise counts it against today's quota and returns that day
     * (null without limits: authentication off, local development).
     */
    LocalDate admit(Caller caller, GenerationParameters p) {
        if (caller.maxConcurrentJobs() == null) {
            return null;
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
        return today;
    }
}

package io.sdfleet.scheduler.release;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.PixelSteps;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FairQueueTest {

    private final AtomicLong clock = new AtomicLong();
    private final FairQueue queue = new FairQueue(60, clock::get);
    private int counter;

    private static GenerationParameters params(int size, int steps) {
        return new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(size, size), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", steps, 7));
    }

    private JobMessage job(String user, GenerationParameters p, int priority) {
        String request = user + "-" + counter++;
        return new JobMessage(JobMessage.jobIdOf(request, 0), request, user, 0, List.of(1L), p, priority);
    }

    private void add(String user, int jobs, GenerationParameters p) {
        for (int i = 0; i < jobs; i++) {
            queue.add(user, new FairQueue.Pending(job(user, p, 0)));
        }
    }

    private String next() {
        return queue.next().orElseThrow().job().user();
    }

    @Test
    void pixelStepsCountEveryImageAndTheHiresPass() {
        assertThat(PixelSteps.of(params(512, 20))).isEqualTo(512L * 512 * 20);
        GenerationParameters batch = params(64, 10).withBatch(new Batch(3, 1));
        assertThat(PixelSteps.of(batch)).isEqualTo(3L * 64 * 64 * 10);
        HiresFix hires = new HiresFix(2.0, 0, 0, "Latent", 5, 0.7, null, null, null, null);
        GenerationParameters withHires = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", 10, 7), hires, null, null, false);
        assertThat(PixelSteps.of(withHires)).isEqualTo(64L * 64 * 10 + 128L * 128 * 5);
        HiresFix sameSteps = new HiresFix(2.0, 0, 0, "Latent", 0, 0.7, null, null, null, null);
        GenerationParameters withHiresSameSteps = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Automatic", 10, 7), sameSteps, null, null, false);
        assertThat(PixelSteps.of(withHiresSameSteps)).isEqualTo(64L * 64 * 10 + 128L * 128 * 10);
    }

    @Test
    void aNewcomerIsServedAtTheNextReleaseHoweverManyJobsOthersHold() {
        add("a", 50, params(64, 4));
        for (int i = 0; i < 10; i++) {
            assertThat(next()).isEqualTo("a");
            clock.addAndGet(1_000_000_000L);
        }
        add("b", 1, params(64, 4));
        assertThat(next()).as("b's single job goes at the very next release").isEqualTo("b");
        assertThat(queue.size()).isEqualTo(40);
    }

    @Test
    void equalLoadsAlternate() {
        add("a", 40, params(64, 4));
        add("b", 40, params(64, 4));
        Map<String, Integer> served = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            served.merge(next(), 1, Integer::sum);
            clock.addAndGet(500_000_000L);
        }
        assertThat(served).containsEntry("a", 20).containsEntry("b", 20);
    }

    @Test
    void sharesAreCountedInPixelStepsNotJobs() {
        add("big", 100, params(128, 10)); // 4× the pixels of small's jobs
        add("small", 100, params(64, 10));
        Map<String, Long> pixelSteps = new HashMap<>();
        Map<String, Integer> jobs = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            JobMessage job = queue.next().orElseThrow().job();
            pixelSteps.merge(job.user(), PixelSteps.of(job.parameters()), Long::sum);
            jobs.merge(job.user(), 1, Integer::sum);
            clock.addAndGet(100_000_000L);
        }
        assertThat(jobs.get("small")).isEqualTo(4 * jobs.get("big"));
        double ratio = (double) pixelSteps.get("small") / pixelSteps.get("big");
        assertThat(ratio).isCloseTo(1.0, within(0.1));
    }

    @Test
    void usageDecaysWithTheHalfLife() {
        add("a", 1, params(64, 10));
        next();
        double served = 64 * 64 * 10;
        assertThat(queue.usageOf("a")).isCloseTo(served, within(1e-6));
        clock.addAndGet(60_000_000_000L);
        assertThat(queue.usageOf("a")).isCloseTo(served / 2, within(1e-6));
        clock.addAndGet(60_000_000_000L);
        assertThat(queue.usageOf("a")).isCloseTo(served / 4, within(1e-6));
        assertThat(queue.usageOf("nobody")).isZero();
    }

    @Test
    void aHeavyUserIsForgivenAfterSomeHalfLives() {
        add("a", 20, params(64, 10));
        for (int i = 0; i < 20; i++) {
            next();
        }
        add("b", 1, params(64, 10));
        next(); // b, a newcomer
        clock.addAndGet(20 * 60_000_000_000L); // twenty half-lives: both are back to about nothing
        add("a", 1, params(64, 10));
        add("b", 1, params(64, 10));
        assertThat(queue.usageOf("a")).isLessThan(64 * 64 * 10 * 20 / 1000.0);
        assertThat(queue.usageOf("a")).isGreaterThan(queue.usageOf("b"));
        assertThat(next()).isEqualTo("b");
    }

    @Test
    void withinAUsersShareJobsGoByPriorityThenAge() {
        JobMessage low = job("a", params(64, 4), -1);
        JobMessage first = job("a", params(64, 4), 0);
        JobMessage urgent = job("a", params(64, 4), 5);
        JobMessage second = job("a", params(64, 4), 0);
        JobMessage alsoUrgent = job("a", params(64, 4), 5);
        for (JobMessage j : List.of(low, first, urgent, second, alsoUrgent)) {
            queue.add("a", new FairQueue.Pending(j));
        }
        List<String> released = new ArrayList<>();
        while (queue.size() > 0) {
            released.add(queue.next().orElseThrow().job().jobId());
        }
        assertThat(released).containsExactly(urgent.jobId(), alsoUrgent.jobId(), first.jobId(), second.jobId(),
                low.jobId());
    }

    @Test
    void priorityDoesNotJumpAheadOfOtherUsers() {
        add("a", 3, params(64, 4));
        next(); // a has been served
        queue.add("b", new FairQueue.Pending(job("b", params(64, 4), 0)));
        queue.add("a", new FairQueue.Pending(job("a", params(64, 4), 100)));
        assertThat(next()).isEqualTo("b");
        assertThat(queue.next().orElseThrow().job().priority()).isEqualTo(100);
    }

    /** Was: dropped jobs acknowledged their request; requests are now acknowledged once planned (issue 14). */
    @Test
    void aCancelledRequestsWaitingJobsAreDropped() {
        JobMessage keep = job("a", params(64, 4), 0);
        for (int i = 0; i < 3; i++) {
            GenerationParameters p = params(64, 4);
            JobMessage j = new JobMessage("gone-" + i, "gone", "a", i, List.of(1L), p, 0);
            queue.add("a", new FairQueue.Pending(j));
        }
        queue.add("a", new FairQueue.Pending(keep));
        assertThat(queue.cancel("gone")).extracting(p -> p.job().jobId()).containsExactly("gone-0", "gone-1", "gone-2");
        assertThat(queue.next().orElseThrow().job()).isEqualTo(keep);
        assertThat(queue.size()).isZero();
    }

    @Test
    void anEmptyQueueHasNothingNext() {
        assertThat(queue.next()).isEmpty();
        assertThat(queue.sizeOf("a")).isZero();
    }
}

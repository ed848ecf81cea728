package io.sdfleet.scheduler.stall;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Evidence against workers, per job: an attempt that fails the same way on two different workers is the job's
 * fault (its input), not theirs. The first worker's fault is counted as usual and remembered here as (worker,
 * failure); when a second, different worker reports the same failure of the same job, the first blame is to be
 * withdrawn and the second is not counted, nor is any later one of that failure for that job. A failure is its
 * kind and reason with the worker's id and all numbers masked (an out-of-memory message names sizes that differ
 * between devices). Remembered until the job is over or for the fault window.
 */
public final class SameFailures {

    private static final Logger log = LoggerFactory.getLogger(SameFailures.class);

    /** A worker blamed for a job's failure at {@code at}. */
    public record Blame(String workerId, Instant at) {
    }

    private final WorkerHealth health;
    private final Duration window;
    /** jobId → failure → the first worker blamed for it, or {@link #CONVICTED} once two workers failed that way. */
    private final Map<String, Map<String, Blame>> byJob = new LinkedHashMap<>();
    private static final Blame CONVICTED = new Blame(null, Instant.EPOCH);

    public SameFailures(WorkerHealth health, Duration window) {
        this.health = health;
        this.window = window;
    }

    /**
     * Counts a worker fault of {@code jobId} against {@code workerId} in {@link WorkerHealth}, unless it shows the
     * job at fault (then the earlier worker's blame is withdrawn and this one not counted); true when it drains the
     * worker.
     */
    public boolean record(String jobId, String workerId, WorkerHealth.Fault fault, String reason, Instant now) {
        if (!fault.workersFault()) {
            return false;
        }
        Optional<Blame> earlier = jobsFault(jobId, workerId, fault, reason, now);
        if (earlier.isEmpty()) {
            return health.record(workerId, fault, now);
        }
        if (earlier.get().workerId() != null) {
            health.withdraw(earlier.get().workerId(), earlier.get().at());
            log.warn("job {} failed the same way on workers {} and {}: the job's fault, neither is blamed: {}",
                    jobId, earlier.get().workerId(), workerId, reason);
        }
        return false;
    }

    /**
     * A worker fault of {@code jobId} on {@code workerId}. Empty when the worker is to be blamed (the fault is
     * remembered); otherwise the job is at fault: the blame to withdraw (present the first time the failure is seen
     * on a second worker, {@code null} worker afterwards) — in both cases this fault blames no one.
     */
    synchronized Optional<Blame> jobsFault(String jobId, String workerId, WorkerHealth.Fault fault,
                                                  String reason, Instant now) {
        forgetOlderThan(now.minus(window));
        if (jobId == null || workerId == null) {
            return Optional.empty();
        }
        Map<String, Blame> failures = byJob.computeIfAbsent(jobId, j -> new HashMap<>());
        String failure = fault + ": " + mask(String.valueOf(reason), workerId);
        Blame earlier = failures.get(failure);
        if (earlier == null || earlier.workerId() != null && earlier.workerId().equals(workerId)) {
            failures.put(failure, new Blame(workerId, now)); // the same worker again is no evidence for the job
            return Optional.empty();
        }
        failures.put(failure, CONVICTED);
        return Optional.of(earlier);
    }

    /** The job is over (finished, failed for good, skipped): its evidence is no longer needed. */
    public synchronized void over(String jobId) {
        byJob.remove(jobId);
    }

    public synchronized int jobsRemembered() {
        return byJob.size();
    }

    private void forgetOlderThan(Instant cutoff) {
        for (Iterator<Map<String, Blame>> it = byJob.values().iterator(); it.hasNext(); ) {
            Map<String, Blame> failures = it.next();
            failures.values().removeIf(b -> b != CONVICTED && b.at().isBefore(cutoff));
            if (failures.isEmpty()) {
                it.remove();
            }
        }
    }

    static String mask(String reason, String workerId) {
        return reason.replace(workerId, "<worker>").replaceAll("\\d+", "#");
    }
}

package io.sdfleet.scheduler.stall;

import io.sdfleet.contracts.JobMessage;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Released jobs not yet over, and which worker runs each (learnt from heartbeats and progress events). An attempt's
 * deadline runs from when a worker is first seen running it. A worker whose attempt was taken away is remembered
 * for that job, so its late heartbeats and progress do not claim the job back; its late finish still ends the job
 * (its images are stored, and storage and the gateway count each image once).
 */
public final class JobLeases {

    /** A job taken from a worker: what to requeue, whom to blame, and which attempt the copy is. */
    public record Stalled(JobMessage job, String workerId, WorkerHealth.Fault fault, int nextAttempt, String reason) {
    }

    /**
     * A job still waiting on the own queue of a worker that can no longer take it (gone silent or drained): it moves
     * to the shared queue as the same attempt, since it never ran.
     */
    public record Stranded(JobMessage job, String workerId, int attempt) {
    }

    private static final class Lease {
        final JobMessage job;
        final Duration deadline;
        final Instant releasedAt = Instant.now();
        int attempt;
        /** The worker whose own queue holds this job (null: the shared queue). */
        String queuedFor;
        String worker;
        Instant startedAt;
        /** When its worker last reported a step of it (null: never). */
        Instant progressedAt;
        final Set<String> abandoned = new HashSet<>();

        /** Waiting, not yet taken, on some worker's own queue. */
        boolean waitsOnOwnQueue() {
            return worker == null && queuedFor != null;
        }

        /** Waiting, not yet taken, on {@code workerId}'s own queue. */
        boolean waitsFor(String workerId) {
            return waitsOnOwnQueue() && queuedFor.equals(workerId);
        }

        Lease(JobMessage job, int attempt, Duration deadline) {
            this.job = job;
            this.attempt = attempt;
            this.deadline = deadline;
        }
    }

    private final Map<String, Lease> byJob = new LinkedHashMap<>();
    /** Recently cancelled requests (the newest 10,000): their jobs are not watched. */
    private final Set<String> cancelledRequests = Collections.newSetFromMap(new LinkedHashMap<>(64, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > 10_000;
        }
    });
    private final StallProperties properties;

    public JobLeases(StallProperties properties) {
        this.properties = properties;
    }

    /** A job was put on the shared jobs queue as attempt {@code attempt}. */
    public void released(JobMessage job, int attempt) {
        released(job, attempt, null);
    }

    /** A job was put on {@code queuedFor}'s own queue (null: the shared queue) as attempt {@code attempt}. */
    public synchronized void released(JobMessage job, int attempt, String queuedFor) {
        if (cancelledRequests.contains(job.requestId())) {
            return; // a worker drops it without a word
        }
        Lease lease = new Lease(job, attempt, Deadlines.of(job, properties));
        lease.queuedFor = queuedFor;
        Lease earlier = byJob.put(job.jobId(), lease);
        if (earlier != null) { // a requeued copy: the workers it was taken from stay unable to claim it back
            lease.abandoned.addAll(earlier.abandoned);
        }
    }

    /** A worker was seen running a job (heartbeat or progress). */
    public synchronized void running(String jobId, String workerId, Instant now) {
        Lease lease = jobId == null ? null : byJob.get(jobId);
        if (lease == null || workerId == null || lease.abandoned.contains(workerId) || workerId.equals(lease.worker)) {
            return;
        }
        lease.worker = workerId;
        lease.startedAt = now;
        lease.queuedFor = null; // taken off whichever queue it waited on
    }

    /** The worker reported a step of the job: it is moving, however slowly. */
    public synchronized void progressed(String jobId, String workerId, Instant now) {
        running(jobId, workerId, now);
        Lease lease = jobId == null ? null : byJob.get(jobId);
        if (lease != null && workerId != null && workerId.equals(lease.worker)) {
            lease.progressedAt = now;
        }
    }

    /** The job finished, was skipped or failed for good: nothing to watch any more. */
    public synchronized void over(String jobId) {
        byJob.remove(jobId);
    }

    public synchronized void cancelled(String requestId) {
        cancelledRequests.add(requestId);
        byJob.values().removeIf(l -> l.job.requestId().equals(requestId));
    }

    /**
     * The worker itself gave the job up after a worker fault and re-published it as {@code nextAttempt}; true when
     * this was the worker running it.
     */
    public synchronized boolean workerGaveUp(String jobId, String workerId, int nextAttempt) {
        Lease lease = byJob.get(jobId);
        if (lease == null) {
            return false;
        }
        lease.abandoned.add(workerId);
        boolean wasRunning = workerId.equals(lease.worker);
        if (wasRunning) {
            lease.worker = null;
            lease.startedAt = null;
        }
        lease.attempt = Math.max(lease.attempt, nextAttempt);
        return wasRunning;
    }

    /**
     * Attempts whose worker fell silent (not heard from for {@code heartbeatLostSeconds}) or overran the deadline:
     * they are taken from their worker (the job waits for a new worker) and returned for requeueing. Jobs past
     * {@code maxAttempts} are dropped from the watch and returned too (nextAttempt &gt; maxAttempts).
     */
    public synchronized List<Stalled> check(Instant now, Function<String, Instant> lastHeard, int maxAttempts) {
        List<Stalled> stalled = new ArrayList<>();
        Duration silence = silence();
        for (Iterator<Lease> it = byJob.values().iterator(); it.hasNext(); ) {
            Lease lease = it.next();
            if (lease.worker == null) {
                // Never seen running for twice its deadline: whatever happened to it (e.g. dropped by a worker
                // without an event), stop counting it as in flight rather than hold capacity forever.
                if (lease.releasedAt.plus(lease.deadline.multipliedBy(2)).isBefore(now)) {
                    it.remove();
                }
                continue;
            }
            // Silence counts from the last heartbeat or from when the worker was seen taking this job, whichever is
            // later: a worker that just started may take a job before this scheduler hears its first heartbeat.
            Instant heard = lastHeard.apply(lease.worker);
            Instant lastSign = heard == null || heard.isBefore(lease.startedAt) ? lease.startedAt : heard;
            WorkerHealth.Fault fault = null;
            String reason = null;
            if (lastSign.plus(silence).isBefore(now)) {
                fault = WorkerHealth.Fault.LOST_HEARTBEATS;
                reason = "worker " + lease.worker + " lost its heartbeats";
            } else if (lease.startedAt.plus(lease.deadline).isBefore(now) && !moving(lease, now)) {
                fault = WorkerHealth.Fault.DEADLINE_OVERRUN;
                reason = "worker " + lease.worker + " overran the deadline of " + lease.deadline.toSeconds() + " s";
            }
            if (fault == null) {
                continue;
            }
            String worker = lease.worker;
            lease.abandoned.add(worker);
            lease.worker = null;
            lease.startedAt = null;
            lease.progressedAt = null;
            lease.attempt++;
            stalled.add(new Stalled(lease.job, worker, fault, lease.attempt, reason));
            if (lease.attempt > maxAttempts) {
                it.remove();
            }
        }
        return stalled;
    }

    /**
     * Jobs waiting on the own queue of a worker that is silent for {@code heartbeatLostSeconds}, drained, or has left
     * it untouched for its whole deadline; once moved (see {@link #movedToShared}) they are watched as waiting on the
     * shared queue.
     */
    public synchronized List<Stranded> stranded(Instant now, Function<String, Instant> lastHeard,
                                                Predicate<String> drained) {
        List<Stranded> stranded = new ArrayList<>();
        Duration silence = silence();
        for (Lease lease : byJob.values()) {
            if (!lease.waitsOnOwnQueue()) {
                continue;
            }
            Instant heard = lastHeard.apply(lease.queuedFor);
            boolean silent = heard == null || heard.plus(silence).isBefore(now);
            boolean untouched = lease.releasedAt.plus(lease.deadline).isBefore(now);
            if (silent || untouched || drained.test(lease.queuedFor)) {
                stranded.add(new Stranded(lease.job, lease.queuedFor, lease.attempt));
            }
        }
        return stranded;
    }

    /** What waited on {@code workerId}'s own queue was moved to the shared queue. */
    public synchronized void movedToShared(String workerId) {
        for (Lease lease : byJob.values()) {
            if (lease.waitsFor(workerId)) {
                lease.queuedFor = null;
            }
        }
    }

    /** Jobs released to some worker's own queue and not started yet. */
    public synchronized int waitingOnWorkerQueues() {
        return (int) byJob.values().stream().filter(Lease::waitsOnOwnQueue).count();
    }

    /**
     * Whether the worker has a job in hand as far as this scheduler knows: one waiting on its own queue, or one it
     * was seen taking (step-0 progress arrives well before the worker's next heartbeat says it is busy).
     */
    public synchronized boolean occupied(String workerId) {
        return byJob.values().stream().anyMatch(l -> workerId.equals(l.worker) || l.waitsFor(workerId));
    }

    /** Whether the job's worker reported a step of it lately: past its deadline, such a job is slow, not stuck. */
    private boolean moving(Lease lease, Instant now) {
        return lease.progressedAt != null
                && lease.progressedAt.plus(Duration.ofMillis(Math.round(properties.progressStallSeconds() * 1000))).isAfter(now);
    }

    /** How long a worker may say nothing before it counts as gone. */
    private Duration silence() {
        return Duration.ofMillis(Math.round(properties.heartbeatLostSeconds() * 1000));
    }

    /** Who runs the job now (null when waiting or unknown). */
    public synchronized String workerOf(String jobId) {
        Lease lease = byJob.get(jobId);
        return lease == null ? null : lease.worker;
    }

    public synchronized boolean watching(String jobId) {
        return byJob.containsKey(jobId);
    }

    public synchronized int size() {
        return byJob.size();
    }
}

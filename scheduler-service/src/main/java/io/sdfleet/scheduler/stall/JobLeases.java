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
import java.util.function.ToDoubleFunction;

/**
 * Released jobs not yet over, and which worker runs each (learnt from heartbeats and progress events). An attempt's
 * deadline runs from when a worker is first seen running it and is sized by that worker's measured speed
 * ({@link Deadlines}). A worker whose attempt was taken away is remembered for that job, so its late heartbeats and
 * progress do not claim the job back; its late finish still ends the job (its images are stored, and storage and the
 * gateway count each image once).
 *
 * <p>Who puts a new copy of a job on the queue, so that exactly one runs: when its worker <em>dies</em> (its broker
 * connection goes), the broker redelivers the job and the worker that gets it hands it back unrun (a
 * {@code JobReturned}, see {@link #returned}); the scheduler then releases the next attempt. Lost heartbeats alone
 * therefore take nothing away: they count against the worker, and the job waits for the broker's redelivery or for
 * its worker to come back. An <em>overrun</em> (a worker alive, heart-beating, but making no progress past the
 * deadline) is the one case where the scheduler releases a copy itself; the stuck attempt's message moves on with a
 * stale attempt number, so if its worker dies later, its return is not released again.
 */
public final class JobLeases {

    /**
     * A worker fault seen on a job: whom to blame and why; when {@code takenBack}, the job was taken from that worker
     * and a copy is to be released as {@code nextAttempt}.
     */
    public record Stalled(JobMessage job, String workerId, WorkerHealth.Fault fault, int nextAttempt, String reason,
                          boolean takenBack) {
    }

    /**
     * A job still waiting on the own queue of a worker that can no longer take it (gone silent or drained): it moves
     * to the shared queue as the same attempt, since it never ran.
     */
    public record Stranded(JobMessage job, String workerId, int attempt) {
    }

    private static final class Lease {
        final JobMessage job;
        final Instant releasedAt;
        int attempt;
        /** The worker whose own queue holds this job (null: the shared queue). */
        String queuedFor;
        String worker;
        Instant startedAt;
        /** When its worker last reported a step of it (null: never). */
        Instant progressedAt;
        /** Silence counts from no earlier than this (a scheduler that just became active has heard no one yet). */
        Instant watchedSince;
        /** Its worker fell silent and was blamed for it (once); the job waits for the broker to hand it back. */
        boolean workerLost;
        final Set<String> abandoned = new HashSet<>();

        /** Waiting, not yet taken, on some worker's own queue. */
        boolean waitsOnOwnQueue() {
            return worker == null && queuedFor != null;
        }

        /** Waiting, not yet taken, on {@code workerId}'s own queue. */
        boolean waitsFor(String workerId) {
            return waitsOnOwnQueue() && queuedFor.equals(workerId);
        }

        Lease(JobMessage job, int attempt, Instant releasedAt) {
            this.job = job;
            this.attempt = attempt;
            this.releasedAt = releasedAt;
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
    private final ToDoubleFunction<String> speeds;

    /** With no worker's speed known (every deadline AI Horde's). */
    public JobLeases(StallProperties properties) {
        this(properties, worker -> 0);
    }

    /** {@code speeds}: a worker's measured pixel-steps per second, 0 when unknown. */
    public JobLeases(StallProperties properties, ToDoubleFunction<String> speeds) {
        this.properties = properties;
        this.speeds = speeds;
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
        Lease lease = new Lease(job, attempt, Instant.now());
        lease.queuedFor = queuedFor;
        Lease earlier = byJob.put(job.jobId(), lease);
        if (earlier != null) { // a requeued copy: the workers it was taken from stay unable to claim it back
            lease.abandoned.addAll(earlier.abandoned);
        }
    }

    /**
     * A job restored from the durable state when this scheduler became active at {@code now}: released at
     * {@code releasedAt}, waiting on {@code queuedFor}'s own queue (null: the shared one) or run by {@code workerId}
     * since {@code startedAt}. Its worker's silence counts from {@code now}, when this scheduler starts listening.
     */
    public synchronized void restore(JobMessage job, int attempt, String queuedFor, String workerId, Instant releasedAt,
                                     Instant startedAt, Instant now) {
        Lease lease = new Lease(job, attempt, releasedAt == null ? now : releasedAt);
        lease.queuedFor = workerId == null ? queuedFor : null;
        lease.worker = workerId;
        lease.startedAt = workerId == null ? null : (startedAt == null ? now : startedAt);
        lease.watchedSince = now;
        byJob.put(job.jobId(), lease);
    }

    /**
     * A worker was seen running a job (heartbeat or progress); true when that is news (the job's lease changed
     * hands, to be written down).
     */
    public synchronized boolean running(String jobId, String workerId, Instant now) {
        Lease lease = jobId == null ? null : byJob.get(jobId);
        if (lease == null || workerId == null || lease.abandoned.contains(workerId)) {
            return false;
        }
        if (workerId.equals(lease.worker)) {
            lease.workerLost = false; // heard again
            return false;
        }
        lease.worker = workerId;
        lease.startedAt = now;
        lease.workerLost = false;
        lease.queuedFor = null; // taken off whichever queue it waited on
        return true;
    }

    /** The worker reported a step of the job: it is moving, however slowly. True as {@link #running}. */
    public synchronized boolean progressed(String jobId, String workerId, Instant now) {
        boolean news = running(jobId, workerId, now);
        Lease lease = jobId == null ? null : byJob.get(jobId);
        if (lease != null && workerId != null && workerId.equals(lease.worker)) {
            lease.progressedAt = now;
        }
        return news;
    }

    /**
     * The job came back from the broker unrun (the worker holding its last attempt died): it waits for its next
     * copy, {@code nextAttempt}. Returns the worker to blame: the one that held the lease, unless it was blamed
     * already for falling silent with it (null then, or when no worker was seen taking it).
     */
    public synchronized String returned(String jobId, int nextAttempt) {
        Lease lease = byJob.get(jobId);
        if (lease == null) {
            return null;
        }
        String holder = lease.workerLost ? null : lease.worker;
        if (lease.worker != null) {
            lease.abandoned.add(lease.worker);
        }
        lease.worker = null;
        lease.startedAt = null;
        lease.progressedAt = null;
        lease.workerLost = false;
        lease.attempt = Math.max(lease.attempt, nextAttempt);
        return holder;
    }

    /** The worker that holds the job's lease, as far as this scheduler knows (null: waiting or unknown). */
    public synchronized String holderOf(String jobId) {
        Lease lease = byJob.get(jobId);
        return lease == null ? null : lease.worker;
    }

    /** Forgets every lease (this scheduler is no longer the active one). */
    public synchronized void clear() {
        byJob.clear();
        cancelledRequests.clear();
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
     * Attempts whose worker fell silent (not heard from for {@code heartbeatLostSeconds}; reported once, the job left
     * where it is, see the class comment) or overran the deadline without progress (taken from their worker and
     * returned for requeueing). Overrun jobs past {@code maxAttempts} are dropped from the watch and returned too
     * (nextAttempt &gt; maxAttempts).
     */
    public synchronized List<Stalled> check(Instant now, Function<String, Instant> lastHeard, int maxAttempts) {
        List<Stalled> stalled = new ArrayList<>();
        Duration silence = silence();
        for (Iterator<Lease> it = byJob.values().iterator(); it.hasNext(); ) {
            Lease lease = it.next();
            if (lease.worker == null) {
                // Never seen running for twice its deadline: whatever happened to it (e.g. dropped by a worker
                // without an event), stop counting it as in flight rather than hold capacity forever.
                if (lease.releasedAt.plus(deadlineOf(lease).multipliedBy(2)).isBefore(now)) {
                    it.remove();
                }
                continue;
            }
            // Silence counts from the last heartbeat or from when the worker was seen taking this job, whichever is
            // later: a worker that just started may take a job before this scheduler hears its first heartbeat.
            Instant heard = lastHeard.apply(lease.worker);
            Instant lastSign = latest(latest(heard, lease.startedAt), lease.watchedSince);
            if (lastSign.plus(silence).isBefore(now)) {
                if (!lease.workerLost) {
                    lease.workerLost = true;
                    stalled.add(new Stalled(lease.job, lease.worker, WorkerHealth.Fault.LOST_HEARTBEATS, lease.attempt,
                            "worker " + lease.worker + " lost its heartbeats", false));
                }
                continue;
            }
            lease.workerLost = false;
            Duration deadline = deadlineOf(lease);
            if (!lease.startedAt.plus(deadline).isBefore(now) || moving(lease, now)) {
                continue;
            }
            String worker = lease.worker;
            lease.abandoned.add(worker);
            lease.worker = null;
            lease.startedAt = null;
            lease.progressedAt = null;
            lease.attempt++;
            stalled.add(new Stalled(lease.job, worker, WorkerHealth.Fault.DEADLINE_OVERRUN, lease.attempt,
                    "worker " + worker + " overran the deadline of " + deadline.toSeconds() + " s", true));
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
            boolean untouched = lease.releasedAt.plus(deadlineOf(lease)).isBefore(now);
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

    /** The attempt's deadline: from its worker's measured speed, AI Horde's while it waits or the speed is unknown. */
    private Duration deadlineOf(Lease lease) {
        return Deadlines.of(lease.job, properties, lease.worker == null ? 0 : speeds.applyAsDouble(lease.worker));
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null || a.isAfter(b) ? a : b;
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

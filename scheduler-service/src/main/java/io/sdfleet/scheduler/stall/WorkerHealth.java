package io.sdfleet.scheduler.stall;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Worker faults (lost heartbeats, deadline overruns, out-of-memory and device errors the worker reports) counted per
 * worker over a sliding window; a worker reaching the limit is drained. Job faults (bad input: an unknown model or
 * LoRA, NaNs) are never counted: they fail the job, not the worker.
 */
public final class WorkerHealth {

    /** Why an attempt ended badly, as far as the scheduler is concerned. */
    public enum Fault {
        LOST_HEARTBEATS(true), DEADLINE_OVERRUN(true), WORKER_REPORTED(true),
        /** The worker died holding the job (the broker handed it back). */
        DIED_WITH_JOB(true),
        JOB_FAILED(false);

        private final boolean workersFault;

        Fault(boolean workersFault) {
            this.workersFault = workersFault;
        }

        /** True when the worker is to blame (and the job deserves another worker). */
        public boolean workersFault() {
            return workersFault;
        }
    }

    /** Where counted faults are kept beyond this process, so that the next active scheduler counts on. */
    public interface FaultLog {
        FaultLog NONE = new FaultLog() {
            @Override
            public void counted(String workerId, Instant at, Instant forgetBefore) {
            }

            @Override
            public void withdrawn(String workerId, Instant at) {
            }

            @Override
            public void cleared(String workerId) {
            }
        };

        /** A fault counted at {@code at}; faults before {@code forgetBefore} no longer count anywhere. */
        void counted(String workerId, Instant at, Instant forgetBefore);

        void withdrawn(String workerId, Instant at);

        /** The worker's faults start over (it came back as a fresh process). */
        void cleared(String workerId);
    }

    private final int faultsToDrain;
    private final Duration window;
    private final FaultLog log;
    private final Map<String, Deque<Instant>> faults = new HashMap<>();
    private final Set<String> drained = ConcurrentHashMap.newKeySet();

    public WorkerHealth(int faultsToDrain, Duration window) {
        this(faultsToDrain, window, FaultLog.NONE);
    }

    public WorkerHealth(int faultsToDrain, Duration window, FaultLog log) {
        this.faultsToDrain = faultsToDrain;
        this.window = window;
        this.log = log;
    }

    /** Records a fault; true when it makes the worker drained (only the first time). */
    public synchronized boolean record(String workerId, Fault fault, Instant now) {
        if (!fault.workersFault() || workerId == null) {
            return false;
        }
        Deque<Instant> recent = faults.computeIfAbsent(workerId, w -> new ArrayDeque<>());
        recent.addLast(now);
        log.counted(workerId, now, now.minus(window));
        while (!recent.isEmpty() && recent.peekFirst().isBefore(now.minus(window))) {
            recent.pollFirst();
        }
        return recent.size() >= faultsToDrain && drained.add(workerId);
    }

    /**
     * Takes back the fault recorded for {@code workerId} at {@code at} (it turned out to be the job's). A worker it
     * already drained stays drained: the drain has been sent.
     */
    public synchronized void withdraw(String workerId, Instant at) {
        Deque<Instant> recent = faults.get(workerId);
        if (recent != null && recent.removeFirstOccurrence(at)) {
            log.withdrawn(workerId, at);
        }
    }

    /**
     * A fault counted by an earlier active scheduler (from the durable state), counted here again without being
     * logged twice; one outside the window as of {@code now} is ignored.
     */
    public synchronized void restoreFault(String workerId, Instant at, Instant now) {
        if (!at.isBefore(now.minus(window))) {
            faults.computeIfAbsent(workerId, w -> new ArrayDeque<>()).addLast(at);
        }
    }

    /** Forgets every count (the durable state keeps them): before a restore. */
    public synchronized void clearCounts() {
        faults.clear();
    }

    public synchronized int faultsOf(String workerId) {
        Deque<Instant> recent = faults.get(workerId);
        return recent == null ? 0 : recent.size();
    }

    /** A worker drained before (restored from the durable state): not to be drained again. */
    public void drained(String workerId) {
        drained.add(workerId);
    }

    /** A drained worker came back as a fresh process: its faults start over. */
    public synchronized void undrained(String workerId) {
        drained.remove(workerId);
        faults.remove(workerId);
        log.cleared(workerId);
    }

    public boolean isDrained(String workerId) {
        return drained.contains(workerId);
    }
}

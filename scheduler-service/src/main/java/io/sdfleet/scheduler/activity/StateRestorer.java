package io.sdfleet.scheduler.activity;

import io.sdfleet.scheduler.planning.WorkerRegistry;
import io.sdfleet.scheduler.release.FairQueue;
import io.sdfleet.scheduler.state.FencedConnection;
import io.sdfleet.scheduler.state.SchedulerStore;
import io.sdfleet.scheduler.stall.JobLeases;
import io.sdfleet.scheduler.stall.WorkerHealth;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;

/**
 * Rebuilds the in-memory views from the durable state when this scheduler becomes active (the fair queue with its
 * pending jobs and every user's usage, the leases of released jobs, the drained workers and the faults counted towards draining), and drops them when it
 * stops being active.
 */
@Component
class StateRestorer {

    /** What a restore found. */
    record Restored(int pending, int leases, int users, int drained) {
    }

    private final FencedConnection connection;
    private final SchedulerStore store;
    private final FairQueue queue;
    private final JobLeases leases;
    private final WorkerRegistry workers;
    private final WorkerHealth health;

    StateRestorer(FencedConnection connection, SchedulerStore store, FairQueue queue, JobLeases leases,
                  WorkerRegistry workers, WorkerHealth health) {
        this.connection = connection;
        this.store = store;
        this.queue = queue;
        this.leases = leases;
        this.workers = workers;
        this.health = health;
    }

    /** One consistent read of the state (one transaction), as of {@code now}. */
    Restored restore(Instant now) {
        return connection.inTransaction(() -> {
            clear();
            var usage = store.usage();
            for (SchedulerStore.Usage u : usage) {
                queue.restoreUsage(u.user(), u.pixelSteps(), Duration.between(u.at(), now).toNanos(), u.lastServed());
            }
            var pending = store.pending();
            for (SchedulerStore.PendingJob p : pending) {
                queue.add(p.job().user(), new FairQueue.Pending(p.job(), p.trace(), p.acceptedAt()));
            }
            var released = store.leases();
            for (SchedulerStore.Lease l : released) {
                leases.restore(l.job(), l.attempt(), l.queuedFor(), l.workerId(), l.releasedAt(), l.startedAt(), now);
            }
            var drained = store.drainedWorkers();
            for (SchedulerStore.DrainedWorker d : drained) {
                workers.drain(d.workerId(), d.drainedAt());
                health.drained(d.workerId());
            }
            for (SchedulerStore.WorkerFault f : store.workerFaults()) {
                health.restoreFault(f.workerId(), f.at(), now);
            }
            return new Restored(pending.size(), released.size(), usage.size(), drained.size());
        });
    }

    /** Forgets the views (the durable state keeps everything). Heard workers stay: heartbeats go on meanwhile. */
    void clear() {
        queue.clear();
        leases.clear();
        health.clearCounts();
    }
}

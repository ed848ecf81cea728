package io.sdfleet.scheduler.stall;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.JobReturned;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.scheduler.ops.SchedulerMetrics;
import io.sdfleet.scheduler.release.JobReleaser;
import io.sdfleet.scheduler.state.FencedConnection;
import io.sdfleet.scheduler.state.SchedulerStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.Optional;

/**
 * Jobs handed back unrun by the worker that got their redelivery (the worker holding their last attempt died: SIGKILL,
 * OOM kill, a lost connection). The lost attempt is counted durably, once (a duplicate or stale return, e.g. of an
 * attempt the stall watch already replaced, changes nothing), and charged to the worker that held the lease; the job
 * is released again as the next attempt, or after {@link Messaging#MAX_JOB_ATTEMPTS} attempts dead-lettered and its
 * request told why. The scheduler is the only one to re-release such a job, so exactly one copy runs.
 */
@Component
public class ReturnedJobs {

    private static final Logger log = LoggerFactory.getLogger(ReturnedJobs.class);

    private final FencedConnection connection;
    private final SchedulerStore store;
    private final JobLeases leases;
    private final JobReleaser releaser;
    private final StallWatcher watcher;
    private final SchedulerMetrics metrics;

    public ReturnedJobs(FencedConnection connection, SchedulerStore store, JobLeases leases, JobReleaser releaser,
                        StallWatcher watcher, SchedulerMetrics metrics) {
        this.connection = connection;
        this.store = store;
        this.leases = leases;
        this.releaser = releaser;
        this.watcher = watcher;
        this.metrics = metrics;
    }

    public void returned(JobReturned returned, Instant now) {
        JobMessage job = returned.job();
        int attempt = returned.attempt();
        connection.inTransaction(() -> {
            Optional<Integer> lost = store.lost(job.jobId(), attempt);
            if (lost.isEmpty()) {
                log.info("job {}: attempt {} returned by {} was counted or replaced already", job.jobId(), attempt,
                        returned.workerId());
                return;
            }
            String holder = leases.holderOf(job.jobId());
            String blamed = leases.returned(job.jobId(), attempt + 1);
            String reason = "its worker" + (holder == null ? "" : " " + holder) + " stopped without a word (crashed or "
                    + "was killed) holding attempt " + attempt + " (" + lost.get() + " lost so far)";
            metrics.takenBack("returned");
            if (attempt >= Messaging.MAX_JOB_ATTEMPTS) {
                watcher.failForGood(job, attempt, reason);
            } else {
                log.warn("job {} came back: {}; releasing attempt {}", job.jobId(), reason, attempt + 1);
                releaser.requeue(job, attempt + 1);
            }
            if (blamed != null) {
                watcher.workerFault(job.jobId(), blamed, WorkerHealth.Fault.DIED_WITH_JOB, reason, now);
            }
        });
    }
}

package io.sdfleet.scheduler.messaging;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobReturned;
import io.sdfleet.contracts.JobSkipped;
import io.sdfleet.contracts.ProgressEvent;
import io.sdfleet.contracts.RequestCancelled;
import io.sdfleet.contracts.WorkerFault;
import io.sdfleet.scheduler.release.FairQueue;
import io.sdfleet.scheduler.state.SchedulerStore;
import io.sdfleet.scheduler.stall.JobLeases;
import io.sdfleet.scheduler.stall.ReturnedJobs;
import io.sdfleet.scheduler.stall.SameFailures;
import io.sdfleet.scheduler.stall.StallWatcher;
import io.sdfleet.scheduler.stall.WorkerHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;

/**
 * Follows released jobs through the workers' events: who runs them, and when they are over. The events that end or
 * move a job wait on a durable queue of the scheduler's while none is active, and are taken by the active one only
 * (acknowledged once handled); progress is heard by every replica and matters where leases exist.
 */
@Component
public class EventFollower {

    private static final Logger log = LoggerFactory.getLogger(EventFollower.class);

    /** Id of the job events consumer, started only while this scheduler is the active one. */
    public static final String JOB_EVENTS_LISTENER = "sdfleet-scheduler-job-events";

    private final JsonMapper json;
    private final JobLeases leases;
    private final StallWatcher watcher;
    private final FairQueue queue;
    private final SameFailures sameFailures;
    private final SchedulerStore store;
    private final ReturnedJobs returns;

    public EventFollower(JsonMapper json, JobLeases leases, StallWatcher watcher, FairQueue queue,
                         SameFailures sameFailures, SchedulerStore store, ReturnedJobs returns) {
        this.queue = queue;
        this.sameFailures = sameFailures;
        this.json = json;
        this.leases = leases;
        this.watcher = watcher;
        this.store = store;
        this.returns = returns;
    }

    @RabbitListener(queues = "#{schedulerProgressQueue.name}", ackMode = "AUTO")
    public void onProgress(Message message) {
        ProgressEvent e = json.readValue(message.getBody(), ProgressEvent.class);
        Instant now = Instant.now();
        try {
            if (leases.progressed(e.jobId(), e.workerId(), now)) {
                store.running(e.jobId(), e.workerId(), now);
            }
        } catch (RuntimeException notActive) { // a standby, or one that just lost the lock: nothing to write down
            log.debug("progress of job {} not recorded: {}", e.jobId(), notActive.toString());
        }
    }

    /** A failure here (the database away, the lock lost) sends the event back to the queue for the next try. */
    @RabbitListener(id = JOB_EVENTS_LISTENER, queues = "#{schedulerEventQueue.name}", ackMode = "AUTO",
            autoStartup = "false")
    public void onJobEvent(Message message) {
        EventKind kind = EventKind.ofRoutingKey(message.getMessageProperties().getReceivedRoutingKey());
        byte[] body = message.getBody();
        try {
            follow(kind, body);
        } catch (JacksonException unreadable) {
            log.error("dropping an unreadable {} event: {}", kind, unreadable.getMessage());
        }
    }

    private void follow(EventKind kind, byte[] body) {
        switch (kind) {
            case JOB_FINISHED -> over(json.readValue(body, JobFinished.class).jobId(), null);
            case JOB_SKIPPED -> {
                String jobId = json.readValue(body, JobSkipped.class).jobId();
                store.skipped(jobId);
                over(jobId, null);
            }
            case JOB_FAILED -> { // a job fault: no blame
                JobFailed e = json.readValue(body, JobFailed.class);
                over(e.jobId(), e.reason());
            }
            case CANCELLED -> {
                String requestId = json.readValue(body, RequestCancelled.class).requestId();
                store.cancelled(requestId);
                leases.cancelled(requestId);
                queue.cancel(requestId);
            }
            case WORKER_FAULT -> {
                WorkerFault e = json.readValue(body, WorkerFault.class);
                Instant now = Instant.now();
                // The worker re-published the job as the next attempt itself (or dead-lettered it: a job-failed follows).
                if (leases.workerGaveUp(e.jobId(), e.workerId(), e.attempt() + 1)) {
                    store.released(e.jobId(), e.attempt() + 1, null, now);
                }
                watcher.workerFault(e.jobId(), e.workerId(), WorkerHealth.Fault.WORKER_REPORTED, e.reason(), now);
            }
            case JOB_RETURNED -> returns.returned(json.readValue(body, JobReturned.class), Instant.now());
            case null, default -> {
            }
        }
    }

    /** Finished or skipped ({@code failure} null; a skip was recorded as such first), or failed for good. */
    private void over(String jobId, String failure) {
        if (failure == null) {
            store.done(jobId); // a no-op after skipped(): a job over stays as it ended
        } else {
            store.failed(jobId, failure);
        }
        leases.over(jobId);
        sameFailures.over(jobId);
    }
}

package io.sdfleet.scheduler.messaging;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.JobSkipped;
import io.sdfleet.contracts.ProgressEvent;
import io.sdfleet.contracts.RequestCancelled;
import io.sdfleet.contracts.WorkerFault;
import io.sdfleet.scheduler.release.FairQueue;
import io.sdfleet.scheduler.stall.JobLeases;
import io.sdfleet.scheduler.stall.SameFailures;
import io.sdfleet.scheduler.stall.StallWatcher;
import io.sdfleet.scheduler.stall.WorkerHealth;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;

/** Follows released jobs through the workers' events: who runs them, and when they are over. */
@Component
public class EventFollower {

    private final JsonMapper json;
    private final JobLeases leases;
    private final StallWatcher watcher;
    private final FairQueue queue;
    private final SameFailures sameFailures;

    public EventFollower(JsonMapper json, JobLeases leases, StallWatcher watcher,
                         FairQueue queue, SameFailures sameFailures) {
        this.queue = queue;
        this.sameFailures = sameFailures;
        this.json = json;
        this.leases = leases;
        this.watcher = watcher;
    }

    @RabbitListener(queues = "#{schedulerEventQueue.name}", ackMode = "AUTO")
    public void onEvent(Message message) {
        EventKind kind = EventKind.ofRoutingKey(message.getMessageProperties().getReceivedRoutingKey());
        byte[] body = message.getBody();
        switch (kind) {
            case PROGRESS -> {
                ProgressEvent e = json.readValue(body, ProgressEvent.class);
                leases.progressed(e.jobId(), e.workerId(), Instant.now());
            }
            case JOB_FINISHED -> over(json.readValue(body, JobFinished.class).jobId());
            case JOB_SKIPPED -> over(json.readValue(body, JobSkipped.class).jobId());
            case JOB_FAILED -> over(json.readValue(body, JobFailed.class).jobId()); // a job fault: no blame
            case CANCELLED -> {
                String requestId = json.readValue(body, RequestCancelled.class).requestId();
                leases.cancelled(requestId);
                queue.cancel(requestId);
            }
            case WORKER_FAULT -> {
                WorkerFault e = json.readValue(body, WorkerFault.class);
                leases.workerGaveUp(e.jobId(), e.workerId(), e.attempt() + 1);
                watcher.workerFault(e.jobId(), e.workerId(), WorkerHealth.Fault.WORKER_REPORTED, e.reason(),
                        Instant.now());
            }
            case null, default -> {
            }
        }
    }

    private void over(String jobId) {
        leases.over(jobId);
        sameFailures.over(jobId);
    }
}

package io.sdfleet.scheduler.stall;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.WorkerDrain;
import io.sdfleet.scheduler.SchedulerProperties;
import io.sdfleet.scheduler.ops.SchedulerMetrics;
import io.sdfleet.scheduler.planning.WorkerRegistry;
import io.sdfleet.scheduler.release.JobReleaser;
import io.sdfleet.scheduler.state.FencedConnection;
import io.sdfleet.scheduler.state.SchedulerStore;
import io.sdfleet.contracts.JobMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Takes overrun jobs away from their workers and requeues them (see {@link JobLeases} for who re-releases what);
 * counts worker faults and drains a worker that keeps failing (a {@link WorkerDrain} on the events exchange, which
 * the worker honours by cancelling its jobs consumer; it also stops counting as capacity here, and the drain is
 * written down so that a restarted scheduler knows it). Acts only on the active scheduler.
 */
@Component
public class StallWatcher {

    private static final Logger log = LoggerFactory.getLogger(StallWatcher.class);

    private final JobLeases leases;
    private final WorkerHealth health;
    private final SameFailures sameFailures;
    private final WorkerRegistry workers;
    private final JobReleaser releaser;
    private final RabbitTemplate rabbit;
    private final Messaging.Names names;
    private final JsonMapper json;
    private final SchedulerProperties properties;
    private final SchedulerMetrics metrics;
    private final FencedConnection connection;
    private final SchedulerStore store;

    public StallWatcher(JobLeases leases, WorkerHealth health, SameFailures sameFailures, WorkerRegistry workers,
                        JobReleaser releaser, RabbitTemplate rabbit, Messaging.Names names, JsonMapper json,
                        SchedulerProperties properties, SchedulerMetrics metrics, FencedConnection connection,
                        SchedulerStore store) {
        this.connection = connection;
        this.store = store;
        this.properties = properties;
        this.metrics = metrics;
        this.leases = leases;
        this.health = health;
        this.sameFailures = sameFailures;
        this.workers = workers;
        this.releaser = releaser;
        this.rabbit = rabbit;
        this.names = names;
        this.json = json;
    }

    @Scheduled(fixedDelayString = "${sdfleet.scheduler.stall.check-interval-ms:1000}")
    public void check() {
        if (!connection.held()) {
            return; // a standby: the active scheduler watches
        }
        try {
            watch(Instant.now());
        } catch (FencedConnection.NotActive lost) {
            log.debug("stopped watching: no longer the active scheduler");
        }
    }

    private void watch(Instant now) {
        for (JobLeases.Stalled s : leases.check(now, workers::lastHeard, Messaging.MAX_JOB_ATTEMPTS)) {
            if (!s.takenBack()) {
                // Not requeued: if the worker died, the broker hands its job to another worker, which returns it.
                log.warn("job {}: {}; it comes back through the broker if that worker died", s.job().jobId(), s.reason());
            } else if (s.nextAttempt() > Messaging.MAX_JOB_ATTEMPTS) {
                metrics.takenBack("deadline-overrun");
                failForGood(s.job(), s.nextAttempt() - 1, s.reason());
            } else {
                metrics.takenBack("deadline-overrun");
                log.warn("requeueing job {} as attempt {}: {}", s.job().jobId(), s.nextAttempt(), s.reason());
                releaser.requeue(s.job(), s.nextAttempt());
            }
            workerFault(s.job().jobId(), s.workerId(), s.fault(), s.reason(), now);
        }
        Set<String> emptied = new HashSet<>();
        for (JobLeases.Stranded s : leases.stranded(now, workers::lastHeard, workers::isDrained)) {
            if (!emptied.add(s.workerId())) {
                continue; // one move empties the worker's whole queue
            }
            try {
                int moved = releaser.moveToShared(s.workerId());
                leases.movedToShared(s.workerId());
                store.movedToShared(s.workerId());
                log.warn("job {} waited for worker {}, which cannot take it: {} job(s) moved to the shared queue",
                        s.job().jobId(), s.workerId(), moved);
            } catch (RuntimeException e) { // the broker is away: the job stays where it is, and is found there later
                log.warn("could not move the jobs waiting for worker {}: {}", s.workerId(), e.toString());
            }
        }
        forgetGoneWorkers(now);
    }

    /** Workers silent for long have gone for good (a pod replaced, a machine off): drop them and their own queue. */
    private void forgetGoneWorkers(Instant now) {
        for (String gone : workers.silentSince(now.minusSeconds(properties.forgetWorkerAfterSeconds()))) {
            try {
                releaser.forget(gone);
                leases.movedToShared(gone);
                log.info("forgot worker {}: silent for {} s", gone, properties.forgetWorkerAfterSeconds());
            } catch (RuntimeException e) { // its queue stays behind, empty or not; asking again each second won't help
                log.warn("forgot worker {}, but could not delete its queue: {}", gone, e.toString());
            } finally {
                workers.forget(gone);
                health.undrained(gone);
                store.undrained(gone);
            }
        }
    }

    /**
     * A worker fault of {@code jobId} seen or reported; drains the worker when it has had too many. When the job
     * failed the same way on another worker before, it is the job's fault: that worker's blame is withdrawn and
     * this one is not counted.
     */
    public void workerFault(String jobId, String workerId, WorkerHealth.Fault fault, String reason, Instant now) {
        if (sameFailures.record(jobId, workerId, fault, reason, now)) {
            String why = health.faultsOf(workerId) + " worker faults, the last: " + reason;
            log.warn("draining worker {}: {}", workerId, why);
            workers.drain(workerId, now);
            store.drained(workerId, why, now);
            MessageProperties props = new MessageProperties();
            props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
            props.setType(Messaging.DRAIN);
            rabbit.send(names.eventsExchange(), Messaging.drainKey(workerId),
                    new Message(json.writeValueAsBytes(new WorkerDrain(workerId, why, now)), props));
        }
    }

    /**
     * The job's last attempt is over: its row failed, a copy on the dead-letter queue, and its request told why (a
     * {@link JobFailed}), in one transaction (joining the caller's).
     */
    public void failForGood(JobMessage job, int attempts, String reason) {
        log.warn("job {} failed for good after {} attempts: {}", job.jobId(), attempts, reason);
        connection.inTransaction(() -> {
            store.failed(job.jobId(), reason);
            releaser.deadLetter(job, attempts);
            publishEvent(job.requestId(), EventKind.JOB_FAILED,
                    new JobFailed(job.requestId(), job.jobId(), reason, attempts, Instant.now()));
        });
        leases.over(job.jobId());
        sameFailures.over(job.jobId());
    }

    private void publishEvent(String requestId, EventKind kind, Object event) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setType(kind.wireName());
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT); // recorded from durable queues: must outlive a broker restart
        rabbit.send(names.eventsExchange(), kind.routingKey(requestId),
                new Message(json.writeValueAsBytes(event), props));
    }
}

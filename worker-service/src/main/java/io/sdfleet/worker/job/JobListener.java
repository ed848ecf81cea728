package io.sdfleet.worker.job;

import com.rabbitmq.client.Channel;
import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.Faults;
import io.sdfleet.contracts.JobFailed;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.JobReturned;
import io.sdfleet.contracts.JobSkipped;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.WorkerFault;
import io.sdfleet.worker.WorkerProperties;
import io.sdfleet.worker.heartbeat.HeartbeatPublisher;
import io.sdfleet.worker.messaging.EventPublisher;
import io.sdfleet.worker.ops.WorkerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Instant;

/**
 * Takes jobs one at a time (channel-wide prefetch 1, manual acknowledgement) from the shared jobs queue and from this
 * worker's own queue, where the scheduler puts jobs for a model this worker has loaded. A job is acknowledged only after
 * its images are stored. A failing job is re-queued with its attempt count raised; after
 * {@link Messaging#MAX_JOB_ATTEMPTS} attempts it is rejected into the dead-letter queue and its request is told.
 * If the worker dies mid-job, the broker redelivers the unacknowledged job to another worker, which hands it back to
 * the scheduler unrun ({@link JobReturned}) rather than run it blindly.
 */
@Component
public class JobListener {

    private static final Logger log = LoggerFactory.getLogger(JobListener.class);

    private final JobRunner runner;
    private final RabbitTemplate rabbit;
    private final Messaging.Names names;
    private final JsonMapper json;
    private final EventPublisher events;
    private final CancelledRequests cancelled;
    private final String workerId;
    private final WorkerMetrics metrics;
    private final HeartbeatPublisher heartbeats;

    public JobListener(JobRunner runner, RabbitTemplate rabbit, Messaging.Names names, JsonMapper json,
                       EventPublisher events, CancelledRequests cancelled,
                       WorkerProperties properties, WorkerMetrics metrics,
                       HeartbeatPublisher heartbeats) {
        this.metrics = metrics;
        this.heartbeats = heartbeats;
        this.runner = runner;
        this.rabbit = rabbit;
        this.names = names;
        this.json = json;
        this.events = events;
        this.cancelled = cancelled;
        this.workerId = properties.id();
    }

    /** Id of the jobs consumer's container (stopped when the scheduler drains this worker). */
    public static final String CONTAINER_ID = "sdfleet-jobs";

    @RabbitListener(id = CONTAINER_ID, queues = {"#{brokerNames.jobsQueue()}", "#{ownJobsQueue.name}"},
            containerFactory = "jobsListenerFactory")
    public void onJob(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        JobMessage job;
        try {
            job = json.readValue(message.getBody(), JobMessage.class);
        } catch (RuntimeException unreadable) {
            log.error("dead-lettering an unreadable job message: {}", unreadable.getMessage());
            channel.basicReject(tag, false);
            return;
        }
        int attempt = attemptOf(message);
        if (cancelled.contains(job.requestId())) {
            channel.basicAck(tag, false); // its caller gave up on it
            return;
        }
        if (cancelled.finished(job.jobId())) {
            log.info("dropping job {}: another attempt already finished it", job.jobId());
            channel.basicAck(tag, false);
            return;
        }
        if (Boolean.TRUE.equals(message.getMessageProperties().getRedelivered())) {
            // The broker hands a job back only when the channel that held it died unacknowledged: the worker that
            // ran it crashed (SIGKILL, OOM kill) or lost the broker. That was an attempt (a graceful shutdown
            // republishes instead, see below): the scheduler counts it, so a job that keeps killing its workers ends.
            returnCrashedJob(message, channel, tag, job, attempt);
            return;
        }
        if (attempt == 1) {
            metrics.started(acceptedAt(message));
        }
        long start = System.nanoTime();
        String outcome = "failed";
        try {
            runner.run(job);
            outcome = "finished";
            channel.basicAck(tag, false);
        } catch (JobRunner.JobSkipped skipped) {
            outcome = "skipped";
            events.confirmedRequestEvent(job.requestId(), EventKind.JOB_SKIPPED, new JobSkipped(
                    job.requestId(), job.jobId(), workerId, job.seeds().size(), Instant.now()));
            channel.basicAck(tag, false);
        } catch (JobRunner.RequestCancelled gaveUp) {
            outcome = "cancelled";
            log.info("dropping job {}: its request was cancelled", job.jobId());
            channel.basicAck(tag, false);
        } catch (JobRunner.ShutdownRequested stopping) {
            outcome = "requeued";
            log.info("requeueing job {}: this worker is shutting down", job.jobId());
            // republished as the same attempt and acknowledged, not rejected: a redelivery then means a crash
            publishConfirmed(message, attempt, names.jobsQueue());
            channel.basicAck(tag, false);
        } catch (RuntimeException | Error e) {
            log.warn("job {} failed on attempt {}: {}", job.jobId(), attempt, e.toString());
            metrics.failedAttempt(attempt >= Messaging.MAX_JOB_ATTEMPTS);
            // Only a worker fault (out of memory, device or I/O trouble) counts against this worker; a job fault
            // (bad input: an unknown LoRA, NaNs) is the job's, wherever it runs. Either way a job gets its
            // MAX_JOB_ATTEMPTS attempts before it is dead-lettered and its request told why.
            if (Faults.classify(e) == Faults.Kind.WORKER) {
                events.requestEvent(job.requestId(), EventKind.WORKER_FAULT, new WorkerFault(
                        job.requestId(), job.jobId(), workerId, e.toString(), attempt, Instant.now()));
            }
            if (attempt < Messaging.MAX_JOB_ATTEMPTS) {
                publishConfirmed(message, attempt + 1, names.jobsQueue());
                channel.basicAck(tag, false); // the retry copy is durably queued (publisher confirms) first
            } else {
                deadLetter(message, job, attempt, String.valueOf(e.getMessage()));
                channel.basicAck(tag, false); // its copy is durably in the dead-letter queue
            }
        } finally {
            metrics.ran(outcome, System.nanoTime() - start);
            // Idle again, with this job's model loaded: say so now, not at the next beat, so the scheduler can send
            // this worker the next job for that model.
            try {
                heartbeats.beat();
            } catch (RuntimeException e) { // the next scheduled beat says the same
                log.debug("no heartbeat after job {}: {}", job.jobId(), e.toString());
            }
        }
    }

    /** When the gateway accepted the job's request, from the header the scheduler puts on jobs; null if absent. */
    private static Instant acceptedAt(Message message) {
        Object header = message.getMessageProperties().getHeaders().get(Messaging.ACCEPTED_AT_HEADER);
        return header instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null;
    }

    /**
     * A delivery whose previous holder died with it: not run here but handed back to the scheduler, which counts the
     * lost attempt and releases the job again or fails it. The handback is durable before the job is acknowledged.
     */
    private void returnCrashedJob(Message message, Channel channel, long tag, JobMessage job, int attempt)
            throws IOException {
        log.warn("job {} came back from a worker that stopped without a word (attempt {}): handing it back",
                job.jobId(), attempt);
        events.confirmedRequestEvent(job.requestId(), EventKind.JOB_RETURNED,
                new JobReturned(job, attempt, workerId, Instant.now()));
        channel.basicAck(tag, false);
    }

    /** The job's last attempt is over: its copy goes to the dead-letter queue and its request is told why. */
    private void deadLetter(Message message, JobMessage job, int attempt, String reason) {
        publishConfirmed(message, attempt, names.jobsDeadLetterQueue());
        events.confirmedRequestEvent(job.requestId(), EventKind.JOB_FAILED,
                new JobFailed(job.requestId(), job.jobId(), reason, attempt, Instant.now()));
    }

    /** Puts a copy of the job (with its attempt count) on {@code queue}, waiting for the broker's confirm. */
    private void publishConfirmed(Message message, int attempt, String queue) {
        message.getMessageProperties().setHeader(Messaging.ATTEMPT_HEADER, attempt);
        message.getMessageProperties().setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        rabbit.invoke(ops -> {
            ops.send("", queue, message);
            ops.waitForConfirmsOrDie(10_000);
            return null;
        });
    }

    private static int attemptOf(Message message) {
        Object header = message.getMessageProperties().getHeaders().get(Messaging.ATTEMPT_HEADER);
        return header instanceof Number n ? n.intValue() : 1;
    }
}

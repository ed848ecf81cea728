package io.sdfleet.scheduler.release;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.scheduler.stall.JobLeases;
import io.sdfleet.scheduler.SchedulerProperties;
import io.sdfleet.scheduler.ops.SchedulerMetrics;
import io.sdfleet.messaging.Tracing;
import io.sdfleet.scheduler.planning.WorkerRegistry;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.core.QueueInformation;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;

/**
 * Moves jobs from the fair queue to the workers' queue, only as many as idle workers can start now plus a small
 * margin. Holding the rest here (not on the broker's FIFO) is what lets users take turns.
 */
@Component
public class JobReleaser {

    /** The worker's attempt header (see worker-service's JobListener). */
    public static final String ATTEMPT_HEADER = "x-sdfleet-attempt";

    private final FairQueue queue;
    private final WorkerRegistry workers;
    private final RabbitTemplate rabbit;
    private final AmqpAdmin admin;
    private final Messaging.Names names;
    private final JsonMapper json;
    private final SchedulerProperties properties;
    private final SchedulerMetrics metrics;
    private final JobLeases leases;

    public JobReleaser(FairQueue queue, WorkerRegistry workers, RabbitTemplate rabbit, AmqpAdmin admin,
                       Messaging.Names names, JsonMapper json, SchedulerProperties properties, SchedulerMetrics metrics,
                       JobLeases leases) {
        this.metrics = metrics;
        this.leases = leases;
        this.queue = queue;
        this.workers = workers;
        this.rabbit = rabbit;
        this.admin = admin;
        this.names = names;
        this.json = json;
        this.properties = properties;
    }

    @Scheduled(fixedDelayString = "${sdfleet.scheduler.release-interval-ms:200}")
    public void release() {
        if (queue.size() == 0) {
            return;
        }
        QueueInformation info = admin.getQueueInfo(names.jobsQueue());
        long waiting = info == null ? 0 : info.getMessageCount();
        Instant now = Instant.now();
        long room = workers.idleWorkers(now) + properties.queueMargin() - waiting;
        // Heartbeats lag (a worker that just took the next job may still report idle): never hold more released
        // jobs in flight, running or waiting, than the live workers plus the margin.
        room = Math.min(room, workers.liveWorkers(now) + properties.queueMargin() - leases.size());
        for (int i = 0; i < room; i++) {
            var next = queue.next();
            if (next.isEmpty()) {
                return;
            }
            FairQueue.Pending pending = next.get();
            Tracing.run(pending.trace(), () -> publish(pending));
        }
    }

    private void publish(FairQueue.Pending pending) {
        send(pending.job(), 1, pending.acceptedAt());
        metrics.released(pending.acceptedAt());
        pending.afterRelease().run();
    }

    /**
     * Puts a stalled job back on the jobs queue as attempt {@code attempt} (ahead of the fair queue: it already had
     * its turn), and watches the new attempt.
     */
    public void requeue(JobMessage job, int attempt) {
        send(job, attempt, null);
    }

    private void send(JobMessage job, int attempt, Instant acceptedAt) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setMessageId(job.jobId());
        if (acceptedAt != null) {
            props.setHeader(Messaging.ACCEPTED_AT_HEADER, acceptedAt.toEpochMilli());
        }
        if (attempt > 1) {
            props.setHeader(ATTEMPT_HEADER, attempt); // the worker's retry count goes on from here
        }
        Message message = new Message(json.writeValueAsBytes(job), props);
        leases.released(job, attempt); // before the send: a fast worker's first heartbeat must find the lease
        rabbit.invoke(ops -> {
            ops.send("", names.jobsQueue(), message);
            ops.waitForConfirmsOrDie(10_000); // durably queued before the request may be acknowledged
            return null;
        });
    }
}

package io.sdfleet.scheduler.release;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.scheduler.stall.JobLeases;
import io.sdfleet.scheduler.SchedulerProperties;
import io.sdfleet.scheduler.ops.SchedulerMetrics;
import io.sdfleet.messaging.Tracing;
import io.sdfleet.messaging.SharedQueues;
import io.sdfleet.scheduler.planning.WorkerRegistry;
import io.sdfleet.scheduler.state.FencedConnection;
import io.sdfleet.scheduler.state.SchedulerStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.rabbitmq.client.GetResponse;
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
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Moves jobs from the fair queue to the workers, only as many as idle workers can start now plus a small margin.
 * Holding the rest here (not on the broker's FIFO) is what lets users take turns. A job goes to the own queue of an
 * idle worker that has its model loaded when there is one, else to the shared jobs queue that every worker takes from.
 * Each release is one transaction of the durable state (the job's row, its user's usage) around the confirmed
 * publish: a publish that fails leaves the job pending; a crash between the confirm and the commit (a moment) leaves
 * a job released twice, whose second run storage and the gateway count once.
 */
@Component
public class JobReleaser {

    private static final Logger log = LoggerFactory.getLogger(JobReleaser.class);

    private final FairQueue queue;
    private final WorkerRegistry workers;
    private final RabbitTemplate rabbit;
    private final AmqpAdmin admin;
    private final Messaging.Names names;
    private final JsonMapper json;
    private final SchedulerProperties properties;
    private final SchedulerMetrics metrics;
    private final JobLeases leases;
    private final FencedConnection connection;
    private final SchedulerStore store;
    /** Workers whose own queue this scheduler has declared. */
    private final Set<String> declared = ConcurrentHashMap.newKeySet();

    public JobReleaser(FairQueue queue, WorkerRegistry workers, RabbitTemplate rabbit, AmqpAdmin admin,
                       Messaging.Names names, JsonMapper json, SchedulerProperties properties, SchedulerMetrics metrics,
                       JobLeases leases, FencedConnection connection, SchedulerStore store) {
        this.connection = connection;
        this.store = store;
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
        // Heartbeats lag: a worker seen taking a job, or with one waiting on its own queue, is busy whatever its
        // last heartbeat said.
        long idle = workers.idleWorkerIds(now).stream().filter(w -> !leases.occupied(w)).count();
        long room = idle + properties.queueMargin() - waiting;
        // Heartbeats lag (a worker that just took the next job may still report idle): never hold more released
        // jobs in flight, running or waiting, than the live workers plus the margin.
        room = Math.min(room, workers.liveWorkers(now) + properties.queueMargin() - leases.size());
        Set<String> targeted = new HashSet<>();
        for (int i = 0; i < room; i++) {
            var next = queue.next();
            if (next.isEmpty()) {
                return;
            }
            FairQueue.Pending pending = next.get();
            String holder = holderOf(pending.job(), now, targeted);
            if (holder != null) {
                targeted.add(holder);
            }
            try {
                Tracing.run(pending.trace(), () -> publish(pending, holder));
            } catch (FencedConnection.NotActive lost) {
                return; // no longer the active scheduler: the next one releases it
            } catch (RuntimeException e) {
                log.warn("could not release job {}; it waits for the next round: {}", pending.job().jobId(), e.toString());
                queue.add(pending.job().user(), pending);
                return;
            }
        }
    }

    /**
     * An idle worker that has the job's model loaded and no job in hand (see JobLeases.occupied), or null (any worker: the shared
     * queue). Fairness picked the job; this only picks where it runs, sparing a model load (or pull) when it can.
     */
    private String holderOf(JobMessage job, Instant now, Set<String> targeted) {
        if (!properties.modelAffinity()) {
            return null;
        }
        return workers.idleHolders(job.parameters().models().checkpoint(), now).stream()
                .filter(w -> !targeted.contains(w) && !leases.occupied(w)).findFirst().orElse(null);
    }

    private void publish(FairQueue.Pending pending, String holder) {
        JobMessage job = pending.job();
        Instant now = Instant.now();
        try {
            connection.inTransaction(() -> {
                store.released(job.jobId(), 1, holder, now);
                FairQueue.Charge charge = queue.chargeOf(job.user());
                store.usage(charge.user(), charge.pixelSteps(), now, charge.lastServed());
                send(job, 1, pending.acceptedAt(), holder);
            });
        } catch (RuntimeException e) {
            leases.over(job.jobId());
            throw e;
        }
        metrics.released(pending.acceptedAt(), holder != null);
    }

    /**
     * Puts a job taken back from its worker on the jobs queue as attempt {@code attempt} (ahead of the fair queue: it
     * already had its turn), and watches the new attempt. Joins the caller's transaction, if any.
     */
    public void requeue(JobMessage job, int attempt) {
        connection.inTransaction(() -> {
            store.released(job.jobId(), attempt, null, Instant.now());
            send(job, attempt, null, null);
        });
    }

    /** Puts the job, failed for good after {@code attempts}, on the dead-letter queue (kept for a look). */
    public void deadLetter(JobMessage job, int attempts) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setMessageId(job.jobId());
        props.setHeader(Messaging.ATTEMPT_HEADER, attempts);
        Message message = new Message(json.writeValueAsBytes(job), props);
        rabbit.invoke(ops -> {
            ops.send("", names.jobsDeadLetterQueue(), message);
            ops.waitForConfirmsOrDie(10_000);
            return null;
        });
    }

    /**
     * Moves every job waiting on the own queue of a worker that cannot take them (silent, drained, or not consuming)
     * to the shared queue, one by one: each copy is confirmed before its original is acknowledged, so a crash in
     * between leaves a duplicate (whose images storage counts once), never a loss. Returns how many moved.
     */
    public int moveToShared(String workerId) {
        String from = names.workerJobsQueue(workerId);
        Integer moved = rabbit.execute(channel -> {
            int n = 0;
            for (GetResponse got = channel.basicGet(from, false); got != null; got = channel.basicGet(from, false)) {
                channel.basicPublish("", names.jobsQueue(), got.getProps(), got.getBody());
                channel.waitForConfirmsOrDie(10_000);
                channel.basicAck(got.getEnvelope().getDeliveryTag(), false);
                n++;
            }
            return n;
        });
        return moved == null ? 0 : moved;
    }

    /** Deletes the own queue of a worker that has gone for good, after moving what waits there. */
    public void forget(String workerId) {
        moveToShared(workerId);
        admin.deleteQueue(names.workerJobsQueue(workerId));
        declared.remove(workerId);
    }

    private void send(JobMessage job, int attempt, Instant acceptedAt, String holder) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setMessageId(job.jobId());
        if (acceptedAt != null) {
            props.setHeader(Messaging.ACCEPTED_AT_HEADER, acceptedAt.toEpochMilli());
        }
        if (attempt > 1) {
            props.setHeader(Messaging.ATTEMPT_HEADER, attempt); // the worker's retry count goes on from here
        }
        Message message = new Message(json.writeValueAsBytes(job), props);
        if (holder != null && declared.add(holder)) { // sent to a missing queue, a message would vanish
            admin.declareQueue(SharedQueues.workerJobs(names, holder));
        }
        String target = holder == null ? names.jobsQueue() : names.workerJobsQueue(holder);
        leases.released(job, attempt, holder); // before the send: a fast worker's first heartbeat must find the lease
        rabbit.invoke(ops -> {
            ops.send("", target, message);
            ops.waitForConfirmsOrDie(10_000); // durably queued before the request may be acknowledged
            return null;
        });
    }
}

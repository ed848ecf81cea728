package io.sdfleet.scheduler.messaging;

import com.rabbitmq.client.Channel;
import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.JobMessage;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.messaging.Tracing;
import io.sdfleet.scheduler.ops.SchedulerMetrics;
import io.sdfleet.scheduler.planning.JobPlanner;
import io.sdfleet.scheduler.planning.WorkerRegistry;
import io.sdfleet.scheduler.release.FairQueue;
import io.sdfleet.scheduler.state.SchedulerStore;
import io.sdfleet.scheduler.stall.JobLeases;
import io.sdfleet.scheduler.stall.WorkerHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Accepted requests come in here (on the active scheduler only). A request is acknowledged as soon as its plan is
 * durable (its jobs written to PostgreSQL, in one transaction keyed by the request id), not when its last job is
 * released: no broker consumer timeout can hand back a request whose jobs wait long, and a redelivered or republished
 * request is recognised and not planned twice. Heartbeats come in here on every replica.
 */
@Component
public class RequestListener {

    private static final Logger log = LoggerFactory.getLogger(RequestListener.class);

    /** Id of the requests consumer, started only while this scheduler is the active one. */
    public static final String REQUESTS_LISTENER = "sdfleet-scheduler-requests";

    private final JsonMapper json;
    private final FairQueue queue;
    private final WorkerRegistry workers;
    private final SchedulerMetrics metrics;
    private final JobLeases leases;
    private final SchedulerStore store;
    private final WorkerHealth health;
    private final OutcomeReplay replay;

    public RequestListener(JsonMapper json, FairQueue queue, WorkerRegistry workers, SchedulerMetrics metrics,
                           JobLeases leases, SchedulerStore store, WorkerHealth health, OutcomeReplay replay) {
        this.replay = replay;
        this.metrics = metrics;
        this.leases = leases;
        this.json = json;
        this.queue = queue;
        this.workers = workers;
        this.store = store;
        this.health = health;
    }

    @RabbitListener(id = REQUESTS_LISTENER, queues = "#{brokerNames.requestsQueue()}", autoStartup = "false")
    public void onRequest(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        GenerationRequested request;
        try {
            request = json.readValue(message.getBody(), GenerationRequested.class);
        } catch (RuntimeException unreadable) {
            log.error("dropping an unreadable request: {}", unreadable.getMessage());
            channel.basicReject(tag, false);
            return;
        }
        // The hires pass runs at the upscaled size: that, not the first pass, decides what fits; so do the models'
        // weights (SDXL's are 3× SD 1.5's).
        int[] size = request.parameters().workingSize();
        int maxBatch = workers.maxBatch(request.parameters().models(), size[0], size[1], Instant.now());
        List<JobMessage> jobs = JobPlanner.plan(request, maxBatch);
        String trace = Tracing.of(message);
        boolean planned;
        try {
            planned = store.plan(request, jobs, trace);
        } catch (RuntimeException notWritten) { // back to the queue, for this scheduler or the next active one
            log.warn("could not record the plan of request {}: {}", request.requestId(), notWritten.toString());
            channel.basicNack(tag, false, true);
            return;
        }
        if (planned) {
            for (JobMessage job : jobs) {
                queue.add(request.user(), new FairQueue.Pending(job, trace, request.acceptedAt()));
            }
            metrics.planned(jobs.size());
            log.info("request {} of {} (priority {}): {} jobs (at most {} images each)", request.requestId(),
                    request.user(), request.priority(), jobs.size(), maxBatch);
        } else if (!replay.replayIfOver(request.requestId())) {
            log.info("request {} was planned before: not planned again", request.requestId());
        }
        channel.basicAck(tag, false);
    }

    @RabbitListener(queues = "#{heartbeatQueue.name}", ackMode = "AUTO")
    public void onHeartbeat(Message message) {
        WorkerHeartbeat heartbeat = json.readValue(message.getBody(), WorkerHeartbeat.class);
        Instant now = Instant.now();
        boolean fresh = workers.heard(heartbeat, now);
        try {
            if (fresh) {
                health.undrained(heartbeat.workerId());
                store.undrained(heartbeat.workerId());
                log.info("drained worker {} is back as a fresh process: it takes jobs again", heartbeat.workerId());
            }
            if (heartbeat.currentJobId() != null && leases.running(heartbeat.currentJobId(), heartbeat.workerId(), now)) {
                store.running(heartbeat.currentJobId(), heartbeat.workerId(), now);
            }
        } catch (RuntimeException notActive) { // a standby, or one that just lost the lock: nothing to write down
            log.debug("heartbeat of {} not recorded: {}", heartbeat.workerId(), notActive.toString());
        }
    }
}

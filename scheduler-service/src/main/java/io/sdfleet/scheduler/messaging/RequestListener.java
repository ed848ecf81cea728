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
import io.sdfleet.scheduler.stall.JobLeases;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepted requests come in here. A request stays unacknowledged until its last job is durably on the jobs queue:
 * if the scheduler dies before that, the broker redelivers it and it is planned again with the same job ids.
 */
@Component
public class RequestListener {

    private static final Logger log = LoggerFactory.getLogger(RequestListener.class);

    private final JsonMapper json;
    private final FairQueue queue;
    private final WorkerRegistry workers;
    private final SchedulerMetrics metrics;
    private final JobLeases leases;

    public RequestListener(JsonMapper json, FairQueue queue, WorkerRegistry workers,
                           SchedulerMetrics metrics, JobLeases leases) {
        this.metrics = metrics;
        this.leases = leases;
        this.json = json;
        this.queue = queue;
        this.workers = workers;
    }

    @RabbitListener(queues = "#{brokerNames.requestsQueue()}")
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
        // The hires pass runs at the upscaled size: that, not the first pass, decides what fits.
        int[] size = request.parameters().workingSize();
        int maxBatch = workers.maxBatch(size[0], size[1], Instant.now());
        List<JobMessage> jobs = JobPlanner.plan(request, maxBatch);
        AtomicInteger left = new AtomicInteger(jobs.size());
        for (JobMessage job : jobs) {
            queue.add(request.user(), new FairQueue.Pending(job, () -> {
                if (left.decrementAndGet() == 0) {
                    ack(channel, tag);
                }
            }, Tracing.of(message), request.acceptedAt()));
        }
        metrics.planned(jobs.size());
        log.info("request {} of {} (priority {}): {} jobs (at most {} images each)", request.requestId(), request.user(),
                request.priority(), jobs.size(), maxBatch);
    }

    @RabbitListener(queues = "#{heartbeatQueue.name}", ackMode = "AUTO")
    public void onHeartbeat(Message message) {
        WorkerHeartbeat heartbeat = json.readValue(message.getBody(), WorkerHeartbeat.class);
        Instant now = Instant.now();
        workers.heard(heartbeat, now);
        if (heartbeat.currentJobId() != null) {
            leases.running(heartbeat.currentJobId(), heartbeat.workerId(), now);
        }
    }

    private static void ack(Channel channel, long tag) {
        try {
            channel.basicAck(tag, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

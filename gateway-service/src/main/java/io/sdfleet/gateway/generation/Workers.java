package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.gateway.ops.GatewayMetrics;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The workers' latest heartbeats: for /sdapi/v1/memory, and to know whether any worker can take a request now. */
@Component
public class Workers {

    private static final Duration LIVE = Duration.ofSeconds(30);
    private final Map<String, WorkerHeartbeat> latest = new ConcurrentHashMap<>();
    private final JsonMapper json;
    private final GatewayMetrics metrics;
    private final Instant startedAt = Instant.now();
    private final Duration grace;

    /** @param graceSeconds how long after start, before any heartbeat can have arrived, to assume workers exist */
    public Workers(JsonMapper json, GatewayMetrics metrics,
                   @Value("${sdfleet.gateway.worker-grace-seconds:30}")
                   long graceSeconds) {
        this.grace = Duration.ofSeconds(graceSeconds);
        this.json = json;
        this.metrics = metrics;
    }

    @RabbitListener(queues = "#{gatewayHeartbeatQueue.name}")
    public void onHeartbeat(Message message) {
        WorkerHeartbeat heartbeat = json.readValue(message.getBody(), WorkerHeartbeat.class);
        latest.put(heartbeat.workerId(), heartbeat);
        metrics.heartbeat(heartbeat);
    }

    /**
     * Whether some live worker takes jobs. Until {@code sdfleet.gateway.worker-grace-seconds} have passed since this
     * gateway started (heartbeats come every few seconds) it cannot know, and says yes.
     */
    public boolean anyCanTakeJobs() {
        return Instant.now().isBefore(startedAt.plus(grace)) || live().stream().anyMatch(h -> !h.drained());
    }

    /** Workers heard from in the last 30 seconds, by id. */
    public List<WorkerHeartbeat> live() {
        Instant cutoff = Instant.now().minus(LIVE);
        return latest.values().stream().filter(h -> h.at().isAfter(cutoff))
                .sorted(Comparator.comparing(WorkerHeartbeat::workerId)).toList();
    }
}

package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.WorkerHeartbeat;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The workers' latest heartbeats, for /sdapi/v1/memory. */
@Component
public class Workers {

    private static final Duration LIVE = Duration.ofSeconds(30);
    private final Map<String, WorkerHeartbeat> latest = new ConcurrentHashMap<>();
    private final JsonMapper json;
    private final io.sdfleet.gateway.ops.GatewayMetrics metrics;

    public Workers(JsonMapper json, io.sdfleet.gateway.ops.GatewayMetrics metrics) {
        this.json = json;
        this.metrics = metrics;
    }

    @RabbitListener(queues = "#{gatewayHeartbeatQueue.name}")
    public void onHeartbeat(Message message) {
        WorkerHeartbeat heartbeat = json.readValue(message.getBody(), WorkerHeartbeat.class);
        latest.put(heartbeat.workerId(), heartbeat);
        metrics.heartbeat(heartbeat);
    }

    /** Workers heard from in the last 30 seconds, by id. */
    public List<WorkerHeartbeat> live() {
        Instant cutoff = Instant.now().minus(LIVE);
        return latest.values().stream().filter(h -> h.at().isAfter(cutoff))
                .sorted(java.util.Comparator.comparing(WorkerHeartbeat::workerId)).toList();
    }
}

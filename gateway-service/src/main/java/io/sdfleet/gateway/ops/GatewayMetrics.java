package io.sdfleet.gateway.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.sdfleet.contracts.WorkerHeartbeat;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's meters. Per worker, from the workers' heartbeats (tags {@code worker}, {@code device}; a worker not
 * heard from for 30 s drops out):
 * <ul>
 *   <li>{@code sdfleet.fleet.worker.memory.used}, {@code .peak}, {@code .total}: bytes of device memory (VRAM on a
 *       GPU) in use, the peak its jobs reached, in all</li>
 *   <li>{@code sdfleet.fleet.worker.busy}: 1 while the worker runs a job, else 0</li>
 *   <li>{@code sdfleet.fleet.workers.live}: workers heard from in the last 30 s</li>
 * </ul>
 * and {@code sdfleet.gateway.generations.accepted} (requests put on the requests queue),
 * {@code sdfleet.gateway.jobs.failed} (jobs that failed for good and were dead-lettered, as told by job-failed events).
 */
@Component
public class GatewayMetrics {

    private static final Duration LIVE = Duration.ofSeconds(30);

    private final Map<String, WorkerHeartbeat> latest = new ConcurrentHashMap<>();
    private final MultiGauge used;
    private final MultiGauge peak;
    private final MultiGauge total;
    private final MultiGauge busy;
    private final Counter accepted;
    private final Counter jobsFailed;

    public GatewayMetrics(MeterRegistry registry) {
        used = MultiGauge.builder("sdfleet.fleet.worker.memory.used").baseUnit("bytes")
                .description("Device memory in use on a worker (VRAM on a GPU), from its heartbeat").register(registry);
        peak = MultiGauge.builder("sdfleet.fleet.worker.memory.peak").baseUnit("bytes")
                .description("Peak device memory a worker's jobs reached, from its heartbeat").register(registry);
        total = MultiGauge.builder("sdfleet.fleet.worker.memory.total").baseUnit("bytes")
                .description("Device memory of a worker, from its heartbeat").register(registry);
        busy = MultiGauge.builder("sdfleet.fleet.worker.busy")
                .description("1 while the worker runs a job, else 0").register(registry);
        io.micrometer.core.instrument.Gauge.builder("sdfleet.fleet.workers.live", latest, m -> live(m.values()).size())
                .description("Workers heard from in the last 30 s").register(registry);
        accepted = Counter.builder("sdfleet.gateway.generations.accepted")
                .description("Generation requests accepted onto the requests queue").register(registry);
        jobsFailed = Counter.builder("sdfleet.gateway.jobs.failed")
                .description("Jobs that failed on every attempt and were dead-lettered").register(registry);
    }

    public void heartbeat(WorkerHeartbeat heartbeat) {
        latest.put(heartbeat.workerId(), heartbeat);
        List<WorkerHeartbeat> live = live(latest.values());
        latest.values().removeIf(h -> !live.contains(h));
        used.register(live.stream().map(h -> MultiGauge.Row.of(tags(h),
                Math.max(0, h.totalMemoryBytes() - h.freeMemoryBytes()))).toList(), true);
        peak.register(live.stream().map(h -> MultiGauge.Row.of(tags(h), h.peakMemoryBytes())).toList(), true);
        total.register(live.stream().map(h -> MultiGauge.Row.of(tags(h), h.totalMemoryBytes())).toList(), true);
        busy.register(live.stream().map(h -> MultiGauge.Row.of(tags(h), h.currentJobId() == null ? 0 : 1)).toList(),
                true);
    }

    public void generationAccepted() {
        accepted.increment();
    }

    public void jobFailed() {
        jobsFailed.increment();
    }

    private static Tags tags(WorkerHeartbeat h) {
        return Tags.of("worker", h.workerId(), "device", h.device() == null ? "unknown" : h.device());
    }

    private static List<WorkerHeartbeat> live(Collection<WorkerHeartbeat> all) {
        Instant cutoff = Instant.now().minus(LIVE);
        return all.stream().filter(h -> h.at() != null && h.at().isAfter(cutoff)).toList();
    }
}

package io.sdfleet.scheduler.planning;

import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.scheduler.SchedulerProperties;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The workers heard from recently, and what they can take. */
@Component
public class WorkerRegistry {

    private final Map<String, WorkerHeartbeat> latest = new ConcurrentHashMap<>();
    private final SchedulerProperties properties;

    public WorkerRegistry(SchedulerProperties properties) {
        this.properties = properties;
    }

    public void heard(WorkerHeartbeat heartbeat) {
        latest.put(heartbeat.workerId(), heartbeat);
    }

    /** Live workers with no current job. */
    public int idleWorkers(Instant now) {
        return (int) live(now).filter(h -> h.currentJobId() == null).count();
    }

    /**
     * The largest batch of W×H images the roomiest live worker can hold (at least 1); unlimited while no worker is
     * known, since then nothing is known to be too big.
     */
    public int maxBatch(int width, int height, Instant now) {
        long perImage = (long) width * height * properties.bytesPerPixel();
        return live(now).mapToInt(h -> (int) Math.max(1, (h.totalMemoryBytes() - properties.modelBytes()) / perImage))
                .max().orElse(Integer.MAX_VALUE);
    }

    private java.util.stream.Stream<WorkerHeartbeat> live(Instant now) {
        Instant cutoff = now.minus(Duration.ofSeconds(properties.heartbeatTimeoutSeconds()));
        return latest.values().stream().filter(h -> h.at().isAfter(cutoff));
    }
}

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
    private final Map<String, Instant> heardAt = new ConcurrentHashMap<>();
    private final java.util.Set<String> drained = ConcurrentHashMap.newKeySet();
    private final SchedulerProperties properties;

    public WorkerRegistry(SchedulerProperties properties) {
        this.properties = properties;
    }

    public void heard(WorkerHeartbeat heartbeat) {
        heard(heartbeat, Instant.now());
    }

    /** A heartbeat received at {@code now} (this scheduler's clock, so workers' clocks need not agree). */
    public void heard(WorkerHeartbeat heartbeat, Instant now) {
        latest.put(heartbeat.workerId(), heartbeat);
        heardAt.put(heartbeat.workerId(), now);
    }

    /** When this scheduler last heard from the worker; null if never. */
    public Instant lastHeard(String workerId) {
        return heardAt.get(workerId);
    }

    /** The worker was told to stop taking jobs: it no longer counts as capacity. */
    public void drain(String workerId) {
        drained.add(workerId);
    }

    public boolean isDrained(String workerId) {
        return drained.contains(workerId);
    }

    /** Live, undrained workers. */
    public int liveWorkers(Instant now) {
        return (int) live(now).filter(h -> !drained.contains(h.workerId())).count();
    }

    /** Live, undrained workers with no current job. */
    public int idleWorkers(Instant now) {
        return (int) live(now).filter(h -> h.currentJobId() == null).filter(h -> !drained.contains(h.workerId())).count();
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

package io.sdfleet.scheduler.planning;

import io.sdfleet.contracts.ModelNames;
import io.sdfleet.contracts.WorkerHeartbeat;
import io.sdfleet.request.BatchMemory;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.scheduler.SchedulerProperties;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/** The workers heard from recently, and what they can take. */
@Component
public class WorkerRegistry {

    private final Map<String, WorkerHeartbeat> latest = new ConcurrentHashMap<>();
    private final Map<String, Instant> heardAt = new ConcurrentHashMap<>();
    /** Drained workers, and since when. */
    private final Map<String, Instant> drained = new ConcurrentHashMap<>();
    private final SchedulerProperties properties;

    public WorkerRegistry(SchedulerProperties properties) {
        this.properties = properties;
    }

    public void heard(WorkerHeartbeat heartbeat) {
        heard(heartbeat, Instant.now());
    }

    /**
     * A heartbeat received at {@code now} (this scheduler's clock, so workers' clocks need not agree). A worker that
     * says it is drained is taken at its word. One drained here that says it is not, a heartbeat timeout after the
     * drain (time enough to have honoured it), is a fresh process under the same id (Kubernetes restarts a drained
     * worker's container in the same pod): it counts again, and true is returned, to forget the drain.
     */
    public boolean heard(WorkerHeartbeat heartbeat, Instant now) {
        latest.put(heartbeat.workerId(), heartbeat);
        heardAt.put(heartbeat.workerId(), now);
        if (heartbeat.drained()) {
            drained.putIfAbsent(heartbeat.workerId(), now);
            return false;
        }
        Instant since = drained.get(heartbeat.workerId());
        if (since != null && since.plusSeconds(properties.heartbeatTimeoutSeconds()).isBefore(now)) {
            drained.remove(heartbeat.workerId());
            return true;
        }
        return false;
    }

    /** The worker's measured speed in pixel-steps per second, from its last heartbeat; 0 when unknown. */
    public double speedOf(String workerId) {
        WorkerHeartbeat last = workerId == null ? null : latest.get(workerId);
        return last == null ? 0 : last.pixelStepsPerSecond();
    }

    /** When this scheduler last heard from the worker; null if never. */
    public Instant lastHeard(String workerId) {
        return heardAt.get(workerId);
    }

    /** The worker was told (at {@code at}) to stop taking jobs: it no longer counts as capacity. */
    public void drain(String workerId, Instant at) {
        drained.putIfAbsent(workerId, at);
    }

    public void drain(String workerId) {
        drain(workerId, Instant.now());
    }

    public boolean isDrained(String workerId) {
        return drained.containsKey(workerId);
    }

    /** Forgets every worker (this scheduler is no longer the active one; it stops listening to heartbeats). */
    public void clear() {
        latest.clear();
        heardAt.clear();
        drained.clear();
    }

    /** Live, undrained workers. */
    public int liveWorkers(Instant now) {
        return (int) live(now).filter(h -> !drained.containsKey(h.workerId())).count();
    }

    public List<String> idleWorkerIds(Instant now) {
        return idle(now).map(WorkerHeartbeat::workerId).toList();
    }

    /**
     * Live, undrained, idle workers that have {@code model} loaded (compared by A1111's model name, the file name
     * without extension), most recently heard first.
     */
    public List<String> idleHolders(String model, Instant now) {
        String wanted = ModelNames.stem(model);
        if (wanted == null || wanted.isBlank()) {
            return List.of();
        }
        return idle(now).filter(h -> h.loadedModels() != null && h.loadedModels().stream()
                        .map(ModelNames::stem).anyMatch(wanted::equals))
                .sorted(Comparator.comparing(WorkerHeartbeat::at).reversed())
                .map(WorkerHeartbeat::workerId).toList();
    }

    /** Workers last heard before {@code cutoff}: gone, as far as this scheduler can tell. */
    public List<String> silentSince(Instant cutoff) {
        return heardAt.entrySet().stream().filter(e -> e.getValue().isBefore(cutoff)).map(Map.Entry::getKey).toList();
    }

    /** Forgets a worker that has gone for good. */
    public void forget(String workerId) {
        latest.remove(workerId);
        heardAt.remove(workerId);
        drained.remove(workerId);
    }

    /**
     * The largest batch of W×H images the roomiest live worker can hold (at least 1); unlimited while no worker is
     * known, since then nothing is known to be too big.
     */
    public int maxBatch(int width, int height, Instant now) {
        return maxBatch(ModelChoice.DEFAULTS, width, height, now);
    }

    /**
     * The same for a job's models: the configured figures are SD 1.x's, scaled to the checkpoint's family and a
     * refiner's (as the gateway's catalog read them; see {@link BatchMemory#forModels}).
     */
    public int maxBatch(ModelChoice models, int width, int height, Instant now) {
        BatchMemory memory = new BatchMemory(properties.modelBytes(), properties.bytesPerPixel()).forModels(models);
        return live(now).mapToInt(h -> memory.maxBatch(h.totalMemoryBytes(), width, height))
                .max().orElse(Integer.MAX_VALUE);
    }

    /** Live, undrained workers whose last heartbeat named no current job. */
    private Stream<WorkerHeartbeat> idle(Instant now) {
        return live(now).filter(h -> h.currentJobId() == null).filter(h -> !drained.containsKey(h.workerId()));
    }

    private Stream<WorkerHeartbeat> live(Instant now) {
        Instant cutoff = now.minus(Duration.ofSeconds(properties.heartbeatTimeoutSeconds()));
        return latest.values().stream().filter(h -> h.at().isAfter(cutoff));
    }
}

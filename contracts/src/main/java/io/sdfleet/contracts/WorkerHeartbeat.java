package io.sdfleet.contracts;

import java.time.Instant;
import java.util.List;

/**
 * A worker's periodic report: its device ("cpu", "gpu(0)"), memory of that device (VRAM on a GPU, native memory on
 * CPU), the peak its jobs reached, the models it has loaded and the job it runs (null when idle).
 */
public record WorkerHeartbeat(String workerId, String device, long totalMemoryBytes, long freeMemoryBytes,
                              long peakMemoryBytes, List<String> loadedModels, String currentJobId, Instant at) {
}

package io.sdfleet.contracts;

import java.time.Instant;
import java.util.List;

/**
 * A worker's periodic report: its device ("cpu", "gpu(0)"), memory of that device (VRAM on a GPU, native memory on
 * CPU), the peak its jobs reached, the models it has loaded, the job it runs (null when idle), and whether the
 * scheduler drained it (it takes no jobs; absent in older workers' heartbeats, read as false), and its measured speed
 * in pixel-steps per second (width × height × steps of the images it made, see the scheduler's {@code PixelSteps},
 * over the seconds they took; 0 while it has measured nothing, and the scheduler then assumes a cold-start speed).
 */
public record WorkerHeartbeat(String workerId, String device, long totalMemoryBytes, long freeMemoryBytes,
                              long peakMemoryBytes, List<String> loadedModels, String currentJobId, Instant at,
                              boolean drained, double pixelStepsPerSecond) {

    /** A worker taking jobs. */
    public WorkerHeartbeat(String workerId, String device, long totalMemoryBytes, long freeMemoryBytes,
                           long peakMemoryBytes, List<String> loadedModels, String currentJobId, Instant at) {
        this(workerId, device, totalMemoryBytes, freeMemoryBytes, peakMemoryBytes, loadedModels, currentJobId, at, false,
                0);
    }
}

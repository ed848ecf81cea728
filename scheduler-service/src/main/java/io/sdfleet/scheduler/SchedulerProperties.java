package io.sdfleet.scheduler;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Release and splitting knobs. Memory model: a worker holds a batch of n images of W×H when
 * {@code modelBytes + n·W·H·bytesPerPixel ≤ its total memory} (SD 1.5 on CPU peaks near 3 GB at 512², batch 1).
 * Fair shares: pixel-steps served to a user count half after {@code usageHalfLifeSeconds} (default 300).
 * Model affinity (default on): a job goes to an idle worker that has its model loaded, when there is one. A worker
 * silent for {@code forgetWorkerAfterSeconds} (default 600) is forgotten and its own queue deleted.
 */
@ConfigurationProperties("sdfleet.scheduler")
public record SchedulerProperties(int queueMargin, long releaseIntervalMs, long heartbeatTimeoutSeconds,
                                  long modelBytes, long bytesPerPixel, double usageHalfLifeSeconds,
                                  Boolean modelAffinity, long forgetWorkerAfterSeconds) {

    public SchedulerProperties {
        usageHalfLifeSeconds = usageHalfLifeSeconds > 0 ? usageHalfLifeSeconds : 300;
        modelAffinity = modelAffinity == null || modelAffinity;
        forgetWorkerAfterSeconds = forgetWorkerAfterSeconds > 0 ? forgetWorkerAfterSeconds : 600;
    }
}

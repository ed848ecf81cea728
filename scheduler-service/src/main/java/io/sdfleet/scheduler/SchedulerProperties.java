package io.sdfleet.scheduler;

import io.sdfleet.request.BatchMemory;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Release and splitting knobs. Memory model: {@link BatchMemory} ({@code modelBytes}, {@code bytesPerPixel}; its
 * defaults when unset, the same the workers use).
 * Fair shares: pixel-steps served to a user count half after {@code usageHalfLifeSeconds} (default 300).
 * Model affinity (default on): a job goes to an idle worker that has its model loaded, when there is one. A worker
 * silent for {@code forgetWorkerAfterSeconds} (default 600) is forgotten and its own queue deleted.
 */
@ConfigurationProperties("sdfleet.scheduler")
public record SchedulerProperties(int queueMargin, long releaseIntervalMs, long heartbeatTimeoutSeconds,
                                  Long modelBytes, Long bytesPerPixel, double usageHalfLifeSeconds,
                                  Boolean modelAffinity, long forgetWorkerAfterSeconds) {

    public SchedulerProperties {
        usageHalfLifeSeconds = usageHalfLifeSeconds > 0 ? usageHalfLifeSeconds : 300;
        modelBytes = modelBytes != null ? modelBytes : BatchMemory.DEFAULT.modelBytes();
        bytesPerPixel = bytesPerPixel != null ? bytesPerPixel : BatchMemory.DEFAULT.bytesPerPixel();
        modelAffinity = modelAffinity == null || modelAffinity;
        forgetWorkerAfterSeconds = forgetWorkerAfterSeconds > 0 ? forgetWorkerAfterSeconds : 600;
    }
}

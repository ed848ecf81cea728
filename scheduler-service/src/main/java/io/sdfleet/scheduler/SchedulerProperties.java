package io.sdfleet.scheduler;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Release and splitting knobs. Memory model: a worker holds a batch of n images of W×H when
 * {@code modelBytes + n·W·H·bytesPerPixel ≤ its total memory} (SD 1.5 on CPU peaks near 3 GB at 512², batch 1).
 * Fair shares: pixel-steps served to a user count half after {@code usageHalfLifeSeconds} (default 300).
 */
@ConfigurationProperties("sdfleet.scheduler")
public record SchedulerProperties(int queueMargin, long releaseIntervalMs, long heartbeatTimeoutSeconds,
                                  long modelBytes, long bytesPerPixel, double usageHalfLifeSeconds) {

    public SchedulerProperties {
        usageHalfLifeSeconds = usageHalfLifeSeconds > 0 ? usageHalfLifeSeconds : 300;
    }
}

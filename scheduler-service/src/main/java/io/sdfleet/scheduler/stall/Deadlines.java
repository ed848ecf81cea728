package io.sdfleet.scheduler.stall;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.scheduler.release.PixelSteps;

import java.time.Duration;

/** How long a job may run: base + per-step seconds × pixel-steps / 512², at least the minimum. */
final class Deadlines {

    private static final double REFERENCE_PIXELS = 512.0 * 512.0;

    private Deadlines() {
    }

    public static Duration of(JobMessage job, StallProperties p) {
        double seconds = p.deadlineBaseSeconds()
                + p.deadlineSecondsPerStep() * PixelSteps.of(job.parameters()) / REFERENCE_PIXELS;
        seconds = Math.max(p.deadlineMinSeconds(), seconds);
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}

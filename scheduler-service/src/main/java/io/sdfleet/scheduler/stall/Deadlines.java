package io.sdfleet.scheduler.stall;

import io.sdfleet.contracts.JobMessage;
import io.sdfleet.request.PixelSteps;

import java.time.Duration;

/**
 * How long a job may run. On a worker whose speed is measured (pixel-steps per second, from its heartbeats):
 * base + slack × the job's pixel-steps ÷ that speed, so a CPU worker gets the minutes a large image takes it and a
 * fast GPU a few times its usual time. Until a worker has measured anything, AI Horde's cold-start formula:
 * base + per-step seconds × pixel-steps / 512². Either way at least the minimum (a model load takes a while too).
 */
final class Deadlines {

    private static final double REFERENCE_PIXELS = 512.0 * 512.0;

    private Deadlines() {
    }

    /** With no measured speed: AI Horde's. */
    public static Duration of(JobMessage job, StallProperties p) {
        return of(job, p, 0);
    }

    /** {@code pixelStepsPerSecond}: the worker's measured speed, 0 (or less) when unknown. */
    public static Duration of(JobMessage job, StallProperties p, double pixelStepsPerSecond) {
        long pixelSteps = PixelSteps.of(job.parameters());
        double running = pixelStepsPerSecond > 0 ? p.deadlineSlack() * pixelSteps / pixelStepsPerSecond
                : p.deadlineSecondsPerStep() * pixelSteps / REFERENCE_PIXELS;
        double seconds = Math.max(p.deadlineMinSeconds(), p.deadlineBaseSeconds() + running);
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}

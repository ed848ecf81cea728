package io.sdfleet.worker.heartbeat;

import io.sdfleet.request.GenerationParameters;
import org.springframework.stereotype.Component;

/**
 * This worker's measured speed in pixel-steps per second (the scheduler's unit, see its {@code PixelSteps}: width ×
 * height × steps × images, plus the hires pass at its size and steps), as a moving average over recent jobs, so that
 * the scheduler gives its jobs deadlines this device can keep. 0 until a job has been measured.
 */
@Component
public class MeasuredSpeed {

    /** Weight of the newest job: about the last five jobs count, so one odd job does not swing deadlines. */
    private static final double NEWEST_WEIGHT = 0.2;

    private double pixelStepsPerSecond;

    /** Records a job that made {@code parameters}' images in {@code seconds} of engine time. */
    public synchronized void ran(GenerationParameters parameters, double seconds) {
        if (seconds <= 0) {
            return;
        }
        double speed = pixelSteps(parameters) / seconds;
        pixelStepsPerSecond = pixelStepsPerSecond == 0 ? speed
                : NEWEST_WEIGHT * speed + (1 - NEWEST_WEIGHT) * pixelStepsPerSecond;
    }

    public synchronized double pixelStepsPerSecond() {
        return pixelStepsPerSecond;
    }

    /** The scheduler's formula for one job (its batch count is 1). */
    static long pixelSteps(GenerationParameters p) {
        long images = Math.max(1, p.batch().size()) * (long) Math.max(1, p.batch().count());
        int steps = Math.max(1, p.sampling().steps());
        long first = (long) p.size().width() * p.size().height() * steps;
        long second = 0;
        if (p.hires() != null) {
            int[] size = p.workingSize();
            second = (long) size[0] * size[1] * p.hires().effectiveSecondPassSteps(steps);
        }
        return images * (first + second);
    }
}

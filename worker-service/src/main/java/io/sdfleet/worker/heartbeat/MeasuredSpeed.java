package io.sdfleet.worker.heartbeat;

import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.PixelSteps;
import org.springframework.stereotype.Component;

/**
 * This worker's measured speed in {@link PixelSteps} per second, as a moving average over recent jobs, so that the
 * scheduler gives its jobs deadlines this device can keep. 0 until a job has been measured.
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
        double speed = PixelSteps.of(parameters) / seconds;
        pixelStepsPerSecond = pixelStepsPerSecond == 0 ? speed
                : NEWEST_WEIGHT * speed + (1 - NEWEST_WEIGHT) * pixelStepsPerSecond;
    }

    public synchronized double pixelStepsPerSecond() {
        return pixelStepsPerSecond;
    }
}

package io.sdfleet.worker.heartbeat;

import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Pixel-steps per second, as a moving average over jobs. */
class MeasuredSpeedTest {

    private static GenerationParameters job(int width, int height, int images, int steps) {
        return new GenerationParameters(new Prompt("a boat", "", 1), new ImageSize(width, height),
                new Batch(images, 1), Noise.of(1), new Sampling("Euler", "Automatic", steps, 7));
    }

    @Test
    void zeroUntilAJobIsMeasuredThenThatJobsSpeed() {
        MeasuredSpeed speed = new MeasuredSpeed();
        assertThat(speed.pixelStepsPerSecond()).isZero();
        speed.ran(job(512, 512, 2, 20), 10);
        assertThat(speed.pixelStepsPerSecond()).isEqualTo(512.0 * 512 * 2 * 20 / 10);
    }

    @Test
    void laterJobsMoveTheAverageByAFifth() {
        MeasuredSpeed speed = new MeasuredSpeed();
        speed.ran(job(64, 64, 1, 10), 1); // 40,960 pixel-steps/s
        speed.ran(job(64, 64, 1, 10), 2); // 20,480
        assertThat(speed.pixelStepsPerSecond()).isCloseTo(0.8 * 40960 + 0.2 * 20480, within(1e-6));
    }

    @Test
    void aJobWithoutMeasuredTimeChangesNothing() {
        MeasuredSpeed speed = new MeasuredSpeed();
        speed.ran(job(64, 64, 1, 10), 0);
        assertThat(speed.pixelStepsPerSecond()).isZero();
    }
}

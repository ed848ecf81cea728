package io.sdfleet.scheduler.stall;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * When a released job counts as stalled. Its deadline, from the moment a worker is seen running it, is
 * {@code deadlineBaseSeconds + deadlineSlack × pixel-steps ÷ the worker's measured pixel-steps per second} once the
 * worker has measured its speed, else (cold start) {@code deadlineBaseSeconds + deadlineSecondsPerStep × steps ×
 * pixels / 512²} summed over its images and passes (AI Horde's 30 s + 2 s × steps × pixels/512²); at least
 * {@code deadlineMinSeconds} (150 s) either way. A worker not heard from for {@code heartbeatLostSeconds} while
 * running a job has lost its heartbeats. Either is a worker fault (an overrun job is requeued for another worker; a
 * silent worker's job comes back through the broker), and a worker with {@code faultsToDrain} faults within
 * {@code faultWindowSeconds} is drained. Checked every {@code checkIntervalMs}. A job past its deadline that still
 * reported a step within {@code progressStallSeconds} is slow, not stuck (a CPU worker on a large image): it is left
 * running and counts against no one.
 */
@ConfigurationProperties("sdfleet.scheduler.stall")
public record StallProperties(double deadlineBaseSeconds, double deadlineSecondsPerStep, double deadlineMinSeconds,
                              double heartbeatLostSeconds, long checkIntervalMs, int faultsToDrain,
                              double faultWindowSeconds, double progressStallSeconds, double deadlineSlack) {

    @ConstructorBinding
    public StallProperties {
        deadlineBaseSeconds = deadlineBaseSeconds >= 0 ? deadlineBaseSeconds : 30;
        deadlineSecondsPerStep = deadlineSecondsPerStep >= 0 ? deadlineSecondsPerStep : 2;
        deadlineMinSeconds = deadlineMinSeconds >= 0 ? deadlineMinSeconds : 150;
        heartbeatLostSeconds = heartbeatLostSeconds > 0 ? heartbeatLostSeconds : 30;
        checkIntervalMs = checkIntervalMs > 0 ? checkIntervalMs : 1000;
        faultsToDrain = faultsToDrain > 0 ? faultsToDrain : 3;
        faultWindowSeconds = faultWindowSeconds > 0 ? faultWindowSeconds : 3600;
        progressStallSeconds = progressStallSeconds > 0 ? progressStallSeconds : 120;
        deadlineSlack = deadlineSlack > 0 ? deadlineSlack : 3;
    }

    /** With the default slack (3) over a worker's measured time. */
    public StallProperties(double deadlineBaseSeconds, double deadlineSecondsPerStep, double deadlineMinSeconds,
                           double heartbeatLostSeconds, long checkIntervalMs, int faultsToDrain,
                           double faultWindowSeconds, double progressStallSeconds) {
        this(deadlineBaseSeconds, deadlineSecondsPerStep, deadlineMinSeconds, heartbeatLostSeconds, checkIntervalMs,
                faultsToDrain, faultWindowSeconds, progressStallSeconds, 3);
    }

    /** AI Horde's constants. */
    public static StallProperties defaults() {
        return new StallProperties(30, 2, 150, 30, 1000, 3, 3600, 120, 3);
    }
}

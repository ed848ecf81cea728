package io.sdfleet.scheduler.release;

import io.sdfleet.contracts.GenerationParameters;
import io.sdfleet.contracts.HiresFixOptions;

/**
 * The unit fair shares are counted in (AI Horde's): width × height × steps × images, plus the hires pass at its
 * working size with its own step count (0 = the first pass's).
 */
public final class PixelSteps {

    private PixelSteps() {
    }

    /** Pixel-steps of one job, i.e. of {@code parameters.batchSize()} images (a job's parameters have nIter 1). */
    public static long of(GenerationParameters parameters) {
        long images = Math.max(1, parameters.batchSize()) * (long) Math.max(1, parameters.nIter());
        long first = (long) parameters.width() * parameters.height() * Math.max(1, parameters.steps());
        HiresFixOptions hires = parameters.hires();
        long second = 0;
        if (hires != null) {
            int[] size = parameters.workingSize();
            int steps = hires.secondPassSteps() > 0 ? hires.secondPassSteps() : Math.max(1, parameters.steps());
            second = (long) size[0] * size[1] * steps;
        }
        return images * (first + second);
    }
}

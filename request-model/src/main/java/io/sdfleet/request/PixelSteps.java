package io.sdfleet.request;

/**
 * The unit of GPU work (AI Horde's): width × height × steps × images, plus the hires pass at its working size with
 * its own step count. The scheduler counts fair shares and deadlines in it, and workers their measured speed.
 */
public final class PixelSteps {

    private PixelSteps() {
    }

    /** Pixel-steps of one job, i.e. of {@code parameters.batch().size()} images (a job's batch count is 1). */
    public static long of(GenerationParameters parameters) {
        long images = Math.max(1, parameters.batch().size()) * (long) Math.max(1, parameters.batch().count());
        int steps = Math.max(1, parameters.sampling().steps());
        long first = (long) parameters.size().width() * parameters.size().height() * steps;
        long second = 0;
        if (parameters.hires() != null) {
            int[] size = parameters.workingSize();
            second = (long) size[0] * size[1] * parameters.hires().effectiveSecondPassSteps(steps);
        }
        return images * (first + second);
    }
}

package io.sdfleet.request;

/**
 * The unit of GPU work (AI Horde's): width × height × steps × images, plus the hires pass at its working size with
 * its own step count; an extras job's is what its upscalers and face restorers cost ({@link Extras#pixelSteps}). The
 * scheduler counts fair shares and deadlines in it, and workers their measured speed.
 */
public final class PixelSteps {

    private PixelSteps() {
    }

    /** Pixel-steps of one job, i.e. of {@code parameters.batch().size()} images (a job's batch count is 1). */
    public static long of(GenerationParameters parameters) {
        long images = Math.max(1, parameters.batch().size()) * (long) Math.max(1, parameters.batch().count());
        if (parameters.extras() != null) { // nothing is sampled: the postprocessing's own cost
            return images * parameters.extras().pixelSteps(parameters.size().width(), parameters.size().height());
        }
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

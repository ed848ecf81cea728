package io.sdfleet.diffusion.pipeline;

import java.awt.image.BufferedImage;

/** Told after every denoising step; runs on the generating thread, so it must be quick. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (step, total, elapsedSeconds) -> { };

    /**
     * @param step           1-based number of the step just finished
     * @param total          steps in this run
     * @param elapsedSeconds since sampling started
     */
    void onStep(int step, int total, double elapsedSeconds);

    /** Every how many steps {@link #onPreview} wants a live preview; 0 = never (the default). */
    default int previewEvery() {
        return 0;
    }

    /**
     * A cheap live preview (A1111's "Approx cheap": 1/8 size, no VAE) of the first image's current denoised
     * estimate, after {@code step}.
     */
    default void onPreview(int step, BufferedImage preview) {
    }
}

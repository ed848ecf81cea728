package io.sdfleet.diffusion.pipeline;

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

    /** Raising this from {@link #onStep} stops the run (A1111's interrupt). */
    final class Interrupted extends RuntimeException {
        public Interrupted() {
            super("generation interrupted");
        }
    }
}

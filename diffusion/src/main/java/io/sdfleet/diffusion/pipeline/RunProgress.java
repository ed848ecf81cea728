package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.image.LatentPreview;
import io.sdfleet.diffusion.runtime.PeakMemory;
import io.sdfleet.diffusion.sampling.StepCallback;

/**
 * A run's progress over all its passes: steps are counted across first and hires pass, each step samples the peak
 * memory, and every {@link ProgressListener#previewEvery()} steps a preview of the denoised latents is sent.
 */
final class RunProgress {

    private final ProgressListener listener;
    private final PeakMemory peak;
    private final long start;
    private final int totalSteps;

    RunProgress(ProgressListener listener, PeakMemory peak, long start, int totalSteps) {
        this.listener = listener;
        this.peak = peak;
        this.start = start;
        this.totalSteps = totalSteps;
    }

    /** The callback of a pass that starts after {@code stepsBefore} steps of earlier passes. */
    StepCallback passStartingAt(int stepsBefore) {
        int every = listener.previewEvery();
        return (step, passTotal, xNow, denoised) -> {
            peak.sample();
            listener.onStep(stepsBefore + step, totalSteps, (System.nanoTime() - start) / 1e9);
            if (every > 0 && (stepsBefore + step) % every == 0 && denoised != null) {
                listener.onPreview(stepsBefore + step, LatentPreview.of(denoised, 0));
            }
        };
    }
}

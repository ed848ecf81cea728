package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;

/** Called after each sampler step with the new x and the denoised estimate it came from. */
@FunctionalInterface
public interface StepCallback {
    StepCallback NONE = (step, total, x, denoised) -> { };

    void afterStep(int step, int total, NDArray x, NDArray denoised);
}

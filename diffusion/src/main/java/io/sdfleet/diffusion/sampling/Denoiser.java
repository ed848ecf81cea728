package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;

/** k-diffusion's model(x, σ): the denoised estimate of x at noise level σ, created in x's manager. */
@FunctionalInterface
public interface Denoiser {
    NDArray denoise(NDArray x, float sigma);
}

package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;

/** Fresh unit-normal noise for an ancestral or SDE step, shaped like {@code like}, in like's manager. */
@FunctionalInterface
public interface NoiseSource {
    NDArray next(NDArray like, float sigma, float sigmaNext);
}

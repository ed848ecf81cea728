package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;

/** The guided noise prediction at a DDPM timestep: what the timestep samplers (DDIM, UniPC) call. */
@FunctionalInterface
public interface EpsModel {
    NDArray eps(NDArray x, float t);
}

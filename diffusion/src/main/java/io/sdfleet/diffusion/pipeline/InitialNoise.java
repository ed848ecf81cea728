package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.sampling.NoiseSource;

/**
 * The first pass's noise: the latents it starts from and where its sampler draws step noise — each image's own
 * seeds, or a noise file's recorded draws when one replays a reference run.
 *
 * @param latents [B, 4, h, w]
 */
record InitialNoise(NDArray latents, NoiseSource stepNoise) {
}

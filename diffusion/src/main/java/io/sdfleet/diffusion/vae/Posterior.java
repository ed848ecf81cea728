package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;

/**
 * LDM's {@code DiagonalGaussianDistribution} over VAE latents: mean, log-variance (clamped to [−30, 20]) and
 * std = exp(logvar / 2), each [B, z, H/8, W/8]. Closing it closes the three arrays.
 */
public record Posterior(NDArray mean, NDArray logvar, NDArray std) implements AutoCloseable {

    /** mean + std · noise, noise [B, z, H/8, W/8] supplied by the caller (seeded). Result in noise's manager. */
    public NDArray sample(NDArray noise) {
        try (NDArray scaled = noise.mul(std)) {
            return scaled.add(mean);
        }
    }

    @Override
    public void close() {
        mean.close();
        logvar.close();
        std.close();
    }
}

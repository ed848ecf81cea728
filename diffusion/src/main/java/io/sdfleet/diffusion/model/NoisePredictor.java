package io.sdfleet.diffusion.model;

import ai.djl.ndarray.NDArray;

/**
 * The UNet seen from a sampler: given noisy latents, (possibly fractional) DDPM timesteps and text context,
 * predict the noise (or, for v-prediction models, v). Outputs are created in {@code x}'s manager.
 */
public interface NoisePredictor {

    /**
     * @param x         latents [B, C, H, W] (C = 4, or 9 for inpainting models after the caller concatenates)
     * @param timesteps [B] float timesteps in [0, 999]
     * @param context   text conditioning [B, T, contextDim]
     */
    NDArray predict(NDArray x, NDArray timesteps, NDArray context);

    /**
     * The prediction conditioned on {@code conditioning}: its context, and its vector for models that read one
     * (SDXL). A model without a label embedding refuses a vector.
     */
    default NDArray predict(NDArray x, NDArray timesteps, Conditioning conditioning) {
        if (conditioning.vector() != null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " takes no conditioning vector");
        }
        return predict(x, timesteps, conditioning.crossattn());
    }

    /** What {@link #predict} returns. */
    Prediction prediction();

    enum Prediction { EPSILON, V }
}

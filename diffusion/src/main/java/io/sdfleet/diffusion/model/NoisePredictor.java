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
     * The prediction with SDXL's vector conditioning y [B, adm_in_channels] (pooled text + size embeddings), or
     * null for models that take none. A predictor that knows no vector accepts only null.
     */
    default NDArray predict(NDArray x, NDArray timesteps, NDArray context, NDArray vector) {
        if (vector != null) {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " takes no vector conditioning");
        }
        return predict(x, timesteps, context);
    }

    /** The prediction conditioned on {@code conditioning}: its context, and its vector for models that read one. */
    default NDArray predict(NDArray x, NDArray timesteps, Conditioning conditioning) {
        return predict(x, timesteps, conditioning.crossattn(), conditioning.vector());
    }

    /** What {@link #predict} returns. */
    Prediction prediction();

    enum Prediction { EPSILON, V }
}

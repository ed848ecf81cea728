package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;

/**
 * A VAE seen from the pipeline: pixels in [−1, 1] ⇄ VAE-space latents at 1/8 size (see {@link AutoencoderKL} for
 * the latent spaces). Outputs are created in the input's manager.
 */
public interface Autoencoder {

    /** VAE-space latents z [B, 4, h, w] → image [B, 3, 8h, 8w] in about [−1, 1] (not clamped). */
    NDArray decode(NDArray z);

    /**
     * {@link #decode} telling whether the VAE fell back from fp16 to fp32 on this call (A1111's automatic
     * "revert VAE to 32-bit floats" on NaN, see {@link AutoencoderKL#decodeReporting}); never for a VAE already in
     * fp32.
     */
    default VaeDecode decodeReporting(NDArray z) {
        return new VaeDecode(decode(z), false);
    }

    /** image [B, 3, H, W] in [−1, 1] (H, W multiples of 8) → the posterior over VAE-space latents. */
    Posterior encode(NDArray image);

    /** The model's latent scale: model latents = VAE latents × scaleFactor (0.18215 SD 1.x/2.x, 0.13025 SDXL). */
    float scaleFactor();
}

package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Inpainting with any checkpoint, as A1111's {@code CFGDenoiser} does it: after guidance, the denoised estimate is
 * put back to the init latent wherever the mask says keep — denoised · nmask + init · (1 − nmask) — every step, so
 * the sampler only ever changes the masked region.
 */
public final class MaskedDenoiser implements Denoiser {

    private final Denoiser inner;
    private final NDArray initLatent;
    private final NDArray repaint;

    /**
     * @param initLatent [B, 4, h, w] model-space latents of the init image
     * @param repaint    [1, 4, h, w] or [B, 4, h, w]: 1 = repaint, 0 = keep (A1111's nmask)
     */
    public MaskedDenoiser(Denoiser inner, NDArray initLatent, NDArray repaint) {
        this.inner = inner;
        this.initLatent = initLatent;
        this.repaint = repaint;
    }

    @Override
    public NDArray denoise(NDArray x, float sigma) {
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray denoised = inner.denoise(x, sigma);
            denoised.attach(scope);
            NDArray blended = blend(denoised, initLatent, repaint);
            blended.attach(owner);
            return blended;
        }
    }

    /** generated · repaint + init · (1 − repaint), in generated's manager. */
    public static NDArray blend(NDArray generated, NDArray init, NDArray repaint) {
        try (NDArray keep = repaint.neg().add(1f); NDArray kept = init.mul(keep); NDArray painted = generated.mul(repaint)) {
            return painted.add(kept);
        }
    }
}

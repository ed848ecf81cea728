package io.sdfleet.diffusion.pipeline;

import java.util.Arrays;

/**
 * A1111's img2img step arithmetic ({@code setup_img2img_steps}): with strength s and n requested steps the sampler
 * builds a schedule of {@code total} steps and runs only its last {@code tEnc + 1} levels, starting from the init
 * latent noised to the first of them.
 * <ul>
 *   <li>plain: total = n, tEnc = ⌊min(s, 0.999) · n⌋ (fewer steps run at lower strength);</li>
 *   <li>fixed steps (hires fix, or A1111's {@code img2img_fix_steps}): total = ⌊n / min(s, 0.999)⌋, tEnc = n − 1,
 *       so exactly n steps run.</li>
 * </ul>
 */
public record Img2ImgSteps(int total, int tEnc) {

    public static Img2ImgSteps of(int steps, double strength, boolean fixedSteps) {
        if (strength <= 0) {
            // Nothing to denoise. (A1111's plain branch would still run one step at the smallest σ, nudging the
            // latents; strength 0 here returns the init image's VAE round trip exactly.)
            return new Img2ImgSteps(0, 0);
        }
        double s = Math.min(strength, 0.999);
        if (fixedSteps) {
            return new Img2ImgSteps((int) (steps / s), steps - 1);
        }
        return new Img2ImgSteps(steps, (int) (s * steps));
    }

    /** Steps the sampler actually runs (none at strength 0). */
    public int run() {
        return total == 0 ? 0 : tEnc + 1;
    }

    /** sigmas[total − tEnc − 1 :] of the full schedule. */
    public float[] schedule(float[] fullSigmas) {
        return Arrays.copyOfRange(fullSigmas, total - tEnc - 1, fullSigmas.length);
    }
}

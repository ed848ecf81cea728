package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.request.Noise;

/**
 * A1111's per-image noise with its defaults (CPU source, no variation seed, no resize, no ENSD): the special case
 * of {@link ImageNoise} that plain seeds need. Image i's first draw is the initial noise and every later draw feeds
 * the ancestral/SDE steps.
 */
public final class SeededNoise implements NoiseSource {

    private final ImageNoise noise;

    public SeededNoise(long[] seeds) {
        this.noise = ImageNoise.plain(Noise.of(0), seeds);
    }

    /** Draw 0 of every image: the initial latent noise [B, C, H, W]. */
    public static NDArray initial(NDManager manager, long[] seeds, Shape perImage) {
        return ImageNoise.plain(Noise.of(0), seeds).initial(manager, perImage);
    }

    @Override
    public NDArray next(NDArray like, float sigma, float sigmaNext) {
        return noise.next(like, sigma, sigmaNext);
    }
}

package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;

/**
 * A1111's per-image noise with the CPU RNG source: image i has its own generator seeded with its seed; the first
 * draw is the initial noise and every later draw feeds the ancestral/SDE steps. So a seed reproduces the image
 * whatever else is in the batch.
 */
public final class SeededNoise implements NoiseSource {

    private final long[] seeds;
    private int draws = 1; // draw 0 was the initial noise

    public SeededNoise(long[] seeds) {
        this.seeds = seeds.clone();
    }

    /** Draw 0 of every image: the initial latent noise [B, C, H, W]. */
    public static NDArray initial(NDManager manager, long[] seeds, Shape perImage) {
        return draw(manager, seeds, perImage, 0);
    }

    @Override
    public NDArray next(NDArray like, float sigma, float sigmaNext) {
        Shape perImage = like.getShape().slice(1);
        return draw(like.getManager(), seeds, perImage, draws++);
    }

    private static NDArray draw(NDManager manager, long[] seeds, Shape perImage, int index) {
        NDList rows = new NDList();
        for (long seed : seeds) {
            rows.add(TorchCpuRandom.randn(manager, seed, perImage, index).expandDims(0));
        }
        NDArray stacked = NDArrays.concat(rows, 0);
        rows.close();
        return stacked;
    }
}

package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * LDM's sinusoidal {@code timestep_embedding}: for i &lt; dim/2, f_i = exp(−ln(10000)·i/(dim/2)), and the
 * embedding is [cos(t·f), sin(t·f)] (cosines first). Timesteps may be fractional.
 */
final class TimestepEmbedding {

    private static final double MAX_PERIOD = 10000;

    private TimestepEmbedding() {
    }

    /** timesteps [B] (any float type) → [B, dim] fp32, in {@code manager}. */
    static NDArray sinusoid(NDManager manager, NDArray timesteps, int dim) {
        int half = dim / 2;
        // computed in fp32 in the same order as LDM, so the phases agree at t ≈ 1000
        NDArray freqs = manager.arange(0, half, 1, DataType.FLOAT32)
                .mul((float) -Math.log(MAX_PERIOD)).div((float) half).exp();
        NDArray t = timesteps.toType(DataType.FLOAT32, true);
        t.attach(manager);
        NDArray args = t.reshape(-1, 1).mul(freqs.reshape(1, half));
        NDArray embedding = NDArrays.concat(new NDList(args.cos(), args.sin()), 1);
        if (dim % 2 == 1) {
            embedding = NDArrays.concat(new NDList(embedding, manager.zeros(new Shape(
                    embedding.getShape().get(0), 1))), 1);
        }
        return embedding;
    }
}

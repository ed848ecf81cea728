package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;

/**
 * Changes what a UNet attention layer computes its keys and values from (A1111 hypernetworks pass the context,
 * or x in self-attention, through a small MLP per width, one for keys and one for values).
 */
public interface ContextTransform {

    /**
     * The inputs of {@code to_k} and {@code to_v} for {@code context} [B, T, D] (new arrays), or null when this
     * transform leaves contexts of that width alone.
     */
    Sources apply(NDArray context);

    record Sources(NDArray forKeys, NDArray forValues) {
    }
}

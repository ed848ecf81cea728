package io.sdfleet.diffusion.bench;

import ai.djl.ndarray.NDArray;

/**
 * What a guided UNet step conditions on, cond and uncond stacked on the batch axis: the cross-attention context
 * [2, T, C] and, for SDXL, the label vector y [2, D] (null for SD 1.x / 2.x). Both fp32.
 */
public record BenchConditioning(NDArray context, NDArray vector) implements AutoCloseable {

    @Override
    public void close() {
        context.close();
        if (vector != null) {
            vector.close();
        }
    }
}

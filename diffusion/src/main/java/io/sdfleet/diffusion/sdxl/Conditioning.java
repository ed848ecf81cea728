package io.sdfleet.diffusion.sdxl;

import ai.djl.ndarray.NDArray;

/**
 * What the SDXL UNet is conditioned on: {@code crossattn} [1, 77·k, C] (its cross-attention context) and
 * {@code vector} [1, D] (its {@code y}, through {@code label_emb}). fp32.
 */
public record Conditioning(NDArray crossattn, NDArray vector) implements AutoCloseable {

    @Override
    public void close() {
        crossattn.close();
        vector.close();
    }
}

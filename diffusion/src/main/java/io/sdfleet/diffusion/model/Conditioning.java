package io.sdfleet.diffusion.model;

import ai.djl.ndarray.NDArray;

/**
 * What a UNet call is conditioned on besides x and t: the cross-attention context [B, T, C] (sgm's
 * {@code crossattn}), and for SDXL the vector y [B, D] its {@code label_emb} reads (pooled text and size features);
 * SD 1.x and 2.x have no vector (null).
 */
public record Conditioning(NDArray crossattn, NDArray vector) implements AutoCloseable {

    /** An SD 1.x / 2.x conditioning: the context alone. */
    public static Conditioning of(NDArray crossattn) {
        return new Conditioning(crossattn, null);
    }

    @Override
    public void close() {
        crossattn.close();
        if (vector != null) {
            vector.close();
        }
    }
}

package io.sdfleet.diffusion.model;

import ai.djl.ndarray.NDArray;

import java.util.OptionalLong;

/**
 * The CLIP text transformer seen from A1111's conditioning layer: token ids of one 77-token chunk per row in,
 * hidden states out.
 */
public interface TextEncoder {

    /**
     * @param tokenIds [B, 77] int64 ids (BOS, 75 ids, EOS/padding)
     * @param clipSkip 1 = last layer; N ≥ 2 = the N-th layer from the end followed by the final layer norm (an
     *                 encoder whose model fixes the layer, as SD 2.x does, may ignore it)
     * @return [B, 77, width]
     */
    NDArray encode(NDArray tokenIds, int clipSkip);

    /** Hidden width (768 for SD 1.x, 1024 for SD 2.x). */
    int width();

    /**
     * The id that fills a chunk after its first end-of-text, or empty when end-of-text itself does (OpenAI CLIP,
     * SD 1.x). OpenCLIP (SD 2.x) pads with 0: A1111's {@code id_pad}.
     */
    default OptionalLong paddingId() {
        return OptionalLong.empty();
    }

    /**
     * The token embeddings [B, T, width] (before positions), so that textual inversion can overwrite rows of them
     * before {@link #encodeEmbeddings}; encoders without that split do not support embeddings.
     */
    default NDArray tokenEmbeddings(NDArray tokenIds) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support textual inversion");
    }

    /** {@link #encode} continued from given token embeddings. */
    default NDArray encodeEmbeddings(NDArray tokenEmbeddings, int clipSkip) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support textual inversion");
    }
}

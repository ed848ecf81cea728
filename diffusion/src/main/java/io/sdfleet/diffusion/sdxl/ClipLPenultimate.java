package io.sdfleet.diffusion.sdxl;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.model.TextEncoder;

/**
 * SDXL's CLIP ViT-L: Hugging Face's {@code hidden_states[layers − 1]}, the output of the second-to-last layer with
 * no final layer norm (sgm's {@code FrozenCLIPEmbedder(layer="hidden", layer_idx=11)}).
 *
 * <p>Clip skip is ignored, as A1111 does for SDXL unless its {@code sdxl_clip_l_skip} option is set.
 */
public final class ClipLPenultimate implements TextEncoder {

    private final ClipTextModel model;

    public ClipLPenultimate(ClipTextModel model) {
        if (model.layerCount() < 2) {
            throw new IllegalArgumentException("SDXL's CLIP-L needs at least 2 layers, not " + model.layerCount());
        }
        this.model = model;
    }

    @Override
    public NDArray encode(NDArray tokenIds, int clipSkip) {
        try (NDArray embeddings = model.tokenEmbeddings(tokenIds)) {
            return encodeEmbeddings(embeddings, clipSkip);
        }
    }

    @Override
    public NDArray tokenEmbeddings(NDArray tokenIds) {
        return model.tokenEmbeddings(tokenIds);
    }

    @Override
    public NDArray encodeEmbeddings(NDArray tokenEmbeddings, int clipSkip) {
        return model.hiddenState(tokenEmbeddings, model.layerCount() - 1);
    }

    @Override
    public int width() {
        return model.width();
    }

    public ClipTextModel model() {
        return model;
    }
}

package io.sdfleet.diffusion.sdxl;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.clip.OpenClipTextModel;
import io.sdfleet.diffusion.model.TextEncoder;
import io.sdfleet.diffusion.nn.Scope;

import java.util.OptionalLong;

/**
 * SDXL's OpenCLIP bigG (sgm's {@code FrozenOpenCLIPEmbedder2}): the context is the input of the last residual
 * block with no {@code ln_final}; the pooled vector is {@code ln_final} of the last block's output at the first
 * end-of-text, times {@code text_projection}.
 *
 * <p>Clip skip is ignored: A1111 leaves the layer of its OpenCLIP wrappers alone.
 */
public final class BigGPenultimate implements TextEncoder {

    private final OpenClipTextModel model;

    public BigGPenultimate(OpenClipTextModel model) {
        if (!model.hasTextProjection()) {
            throw new IllegalArgumentException("SDXL's bigG tower needs text_projection for its pooled vector");
        }
        if (model.layerCount() < 1) {
            throw new IllegalArgumentException("SDXL's bigG tower has no residual block");
        }
        this.model = model;
    }

    @Override
    public NDArray encode(NDArray tokenIds, int clipSkip) {
        return model.hiddenState(tokenIds, model.layerCount() - 1);
    }

    @Override
    public NDArray tokenEmbeddings(NDArray tokenIds) {
        return model.tokenEmbeddings(tokenIds);
    }

    @Override
    public NDArray encodeEmbeddings(NDArray tokenEmbeddings, int clipSkip) {
        return model.hiddenStateOfEmbeddings(tokenEmbeddings, model.layerCount() - 1);
    }

    /**
     * The pooled vector [B, P] from what {@link #encode} returned for {@code tokenIds}: only the last block runs
     * again, so the tower is not run twice.
     */
    public NDArray pooled(NDArray penultimate, NDArray tokenIds) {
        int last = model.layerCount();
        return Scope.run(() -> {
            NDArray lastOutput = model.continueBlocks(penultimate, last - 1, last);
            return model.pooled(model.finalLayerNorm(lastOutput), tokenIds);
        }, penultimate, tokenIds);
    }

    /** Width of {@link #pooled} (1280 in the released model). */
    public int pooledWidth() {
        return model.pooledWidth();
    }

    @Override
    public int width() {
        return model.width();
    }

    @Override
    public OptionalLong paddingId() {
        return model.paddingId();
    }

    public OpenClipTextModel model() {
        return model;
    }
}

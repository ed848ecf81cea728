package io.sdfleet.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.model.TextEncoder;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.LayerNorm;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The OpenCLIP text tower of SD 2.x (open_clip's {@code TextTransformer} weights, kept by LDM's
 * {@code FrozenOpenCLIPEmbedder} under {@link #PREFIX}): token + positional embeddings, pre-norm blocks with
 * causal self-attention and exact GELU, a final layer norm.
 *
 * <p>SD 2.x conditions on the <em>penultimate</em> block: the last block is never run, and its output goes
 * through {@code ln_final} ({@code layer="penultimate"}). A1111 keeps that for every "Clip skip" setting of an
 * SD 2.x model (its OpenCLIP wrapper leaves the layer alone), so {@link #encode} ignores clip skip.
 *
 * <p>{@code text_projection} and {@code logit_scale} belong to the contrastive head (pooled text embedding
 * against image embeddings). SD 2.x conditioning never uses them; SDXL's bigG tower does use the projection for
 * its pooled vector ({@link #pooled}), so it is loaded when present; {@code logit_scale} is always skipped.
 */
public final class OpenClipTextModel implements TextEncoder {

    /** Where LDM single-file SD 2.x checkpoints keep the text tower. */
    public static final String PREFIX = "cond_stage_model.model.";
    /** open_clip fills a prompt's ids after the first end-of-text with 0 (A1111: {@code id_pad = 0}). */
    public static final long PAD_ID = 0;

    private final NDArray tokenEmbedding;      // [vocab, W]
    private final NDArray positionalEmbedding; // [positions, W]
    private final List<OpenClipResidualBlock> blocks;
    private final LayerNorm finalNorm;
    private final NDArray textProjection;      // [W, P], or null when the checkpoint has none
    private final int width;

    private OpenClipTextModel(NDArray tokenEmbedding, NDArray positionalEmbedding, List<OpenClipResidualBlock> blocks,
                              LayerNorm finalNorm, NDArray textProjection) {
        this.tokenEmbedding = tokenEmbedding;
        this.positionalEmbedding = positionalEmbedding;
        this.blocks = List.copyOf(blocks);
        this.finalNorm = finalNorm;
        this.textProjection = textProjection;
        this.width = Math.toIntExact(tokenEmbedding.getShape().get(1));
    }

    /** Loads from weights positioned at the tower ({@code weights.at(PREFIX)}) with the given number of heads. */
    public static OpenClipTextModel load(Weights w, int heads) {
        NDArray tokens = w.take("token_embedding.weight");
        NDArray positions = w.take("positional_embedding");
        Attention attention = new Attention(0); // 77 tokens: chunking never pays
        List<OpenClipResidualBlock> blocks = new ArrayList<>();
        for (int i = 0; w.has("transformer.resblocks." + i + ".ln_1.weight"); i++) {
            blocks.add(OpenClipResidualBlock.load(w.at("transformer.resblocks." + i), heads, attention));
        }
        LayerNorm finalNorm = LayerNorm.load(w.at("ln_final"), LayerNorm.DEFAULT_EPS);
        NDArray projection = w.has("text_projection") ? w.take("text_projection") : null;
        w.skip("logit_scale");
        return new OpenClipTextModel(tokens, positions, blocks, finalNorm, projection);
    }

    /** ln_final of the penultimate block's output, whatever {@code clipSkip} says (see the class comment). */
    @Override
    public NDArray encode(NDArray tokenIds, int clipSkip) {
        try (NDArray hidden = hiddenState(tokenIds, blocks.size() - 1)) {
            return finalNorm.forward(hidden);
        }
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public OptionalLong paddingId() {
        return OptionalLong.of(PAD_ID);
    }

    public int layerCount() {
        return blocks.size();
    }

    /**
     * The residual stream after the first {@code blockCount} blocks, before {@code ln_final}: 0 = the embeddings,
     * {@link #layerCount()} = the output of the last block. [B, T, W] in the ids' manager.
     */
    public NDArray hiddenState(NDArray tokenIds, int blockCount) {
        try (NDArray embedded = tokenEmbeddings(tokenIds)) {
            return hiddenStateOfEmbeddings(embedded, blockCount);
        }
    }

    /** As {@link #encode}, from token embeddings a textual inversion may have overwritten. */
    @Override
    public NDArray encodeEmbeddings(NDArray tokenEmbeddings, int clipSkip) {
        try (NDArray hidden = hiddenStateOfEmbeddings(tokenEmbeddings, blocks.size() - 1)) {
            return finalNorm.forward(hidden);
        }
    }

    /** As {@link #hiddenState}, from token embeddings [B, T, W] (which a textual inversion may have overwritten). */
    public NDArray hiddenStateOfEmbeddings(NDArray embedded, int blockCount) {
        checkBlockCount(blockCount);
        NDArray h;
        try (NDArray positions = positionalEmbedding.get("0:{}", embedded.getShape().get(1))) {
            h = embedded.add(positions);
        }
        try (NDArray withPositions = h) {
            return continueBlocks(withPositions, 0, blockCount);
        }
    }

    /**
     * Runs blocks {@code from} .. {@code to − 1} on a residual stream that has been through the first {@code from}
     * blocks: SDXL reads the penultimate state and then the last block's output without running the tower twice.
     */
    public NDArray continueBlocks(NDArray hidden, int from, int to) {
        checkBlockCount(from);
        checkBlockCount(to);
        NDArray h = hidden.duplicate();
        try (NDArray mask = CausalMask.create(hidden.getManager(), hidden.getShape().get(1), hidden.getDataType())) {
            for (int i = from; i < to; i++) {
                NDArray next = blocks.get(i).forward(h, mask);
                h.close();
                h = next;
            }
        }
        return h;
    }

    private void checkBlockCount(int blockCount) {
        if (blockCount < 0 || blockCount > blocks.size()) {
            throw new IllegalArgumentException("block count must be in 0.." + blocks.size() + ", not " + blockCount);
        }
    }

    /** Whether the checkpoint carries {@code text_projection} (needed by {@link #pooled}). */
    public boolean hasTextProjection() {
        return textProjection != null;
    }

    /** Width of {@link #pooled}'s output (the projection's columns), or 0 without a projection. */
    public int pooledWidth() {
        return textProjection == null ? 0 : Math.toIntExact(textProjection.getShape().get(1));
    }

    /**
     * open_clip's pooled text embedding: {@code normed} (ln_final of the last block's output, [B, T, W]) at each
     * row's first end-of-text (the argmax id) times {@code text_projection}: [B, P].
     */
    public NDArray pooled(NDArray normed, NDArray tokenIds) {
        if (textProjection == null) {
            throw new IllegalStateException("this OpenCLIP checkpoint has no text_projection");
        }
        try (NDArray atEnd = EndOfText.rows(normed, tokenIds)) {
            return atEnd.matMul(textProjection);
        }
    }

    /** {@code ln_final} applied to a hidden state (SD 2.x applies it to the penultimate one). */
    public NDArray finalLayerNorm(NDArray hidden) {
        return finalNorm.forward(hidden);
    }

    @Override
    public NDArray tokenEmbeddings(NDArray tokenIds) {
        if (tokenIds.getDataType() == DataType.INT64) {
            return Embedding.embedding(tokenIds, tokenEmbedding, SparseFormat.DENSE).singletonOrThrow();
        }
        try (NDArray ids = tokenIds.toType(DataType.INT64, true)) {
            return Embedding.embedding(ids, tokenEmbedding, SparseFormat.DENSE).singletonOrThrow();
        }
    }
}

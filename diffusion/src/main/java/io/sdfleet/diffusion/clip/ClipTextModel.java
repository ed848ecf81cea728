package io.sdfleet.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.model.TextEncoder;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.offload.Placement;

import java.util.ArrayList;
import java.util.List;

/**
 * The CLIP text transformer of SD 1.x in Hugging Face's {@code CLIPTextModel} layout (what LDM checkpoints store
 * under {@link #PREFIX}): token + position embeddings, pre-norm layers with causal self-attention and quick_gelu,
 * a final layer norm.
 *
 * <p>Width and depth are read from the tensors. The number of heads cannot be: {@link #load(Weights)} assumes
 * OpenAI's 64-wide heads (ViT-L/14: 768 → 12), other models pass it to {@link #load(Weights, int)}.
 */
public final class ClipTextModel implements TextEncoder {

    /** Where LDM single-file checkpoints keep the text model. */
    public static final String PREFIX = "cond_stage_model.transformer.text_model.";
    public static final int HEAD_WIDTH = 64;

    private final Parameter tokenEmbedding;    // [vocab, W]
    private final Parameter positionEmbedding; // [positions, W]
    private final List<ClipEncoderLayer> layers;
    private final LayerNorm finalNorm;
    private final int width;
    private final Attention attention;
    private final String prefix;
    private volatile Placement placement = Placement.NONE;

    private ClipTextModel(Parameter tokenEmbedding, Parameter positionEmbedding, List<ClipEncoderLayer> layers,
                          LayerNorm finalNorm, Attention attention, String prefix) {
        this.prefix = prefix;
        this.tokenEmbedding = tokenEmbedding;
        this.positionEmbedding = positionEmbedding;
        this.layers = List.copyOf(layers);
        this.finalNorm = finalNorm;
        this.width = Math.toIntExact(tokenEmbedding.shape().get(1));
        this.attention = attention;
    }

    /** Loads from weights positioned at the text model ({@code weights.at(PREFIX)}), heads = width / 64. */
    public static ClipTextModel load(Weights w) {
        long width = w.shape("embeddings.token_embedding.weight")[1];
        if (width % HEAD_WIDTH != 0) {
            throw new IllegalArgumentException("text width " + width + " is not a multiple of " + HEAD_WIDTH
                    + "; pass the number of heads explicitly");
        }
        return load(w, Math.toIntExact(width / HEAD_WIDTH));
    }

    public static ClipTextModel load(Weights w, int heads) {
        Parameter tokens = w.parameter("embeddings.token_embedding.weight");
        Parameter positions = w.parameter("embeddings.position_embedding.weight");
        w.skip("embeddings.position_ids"); // a buffer equal to arange(77): positions are implied by order
        Attention attention = new Attention(0); // 77 tokens: chunking never pays
        List<ClipEncoderLayer> layers = new ArrayList<>();
        for (int i = 0; w.has("encoder.layers." + i + ".layer_norm1.weight"); i++) {
            layers.add(ClipEncoderLayer.load(w.at("encoder.layers." + i), heads, LayerNorm.DEFAULT_EPS, attention));
        }
        LayerNorm finalNorm = LayerNorm.load(w.at("final_layer_norm"), LayerNorm.DEFAULT_EPS);
        return new ClipTextModel(tokens, positions, layers, finalNorm, attention, w.prefix());
    }

    @Override
    public NDArray encode(NDArray tokenIds, int clipSkip) {
        try (NDArray embeddings = tokenEmbeddings(tokenIds)) {
            return encodeEmbeddings(embeddings, clipSkip);
        }
    }

    @Override
    public int width() {
        return width;
    }

    public int layerCount() {
        return layers.size();
    }

    /** Token embeddings only, [B, T, W] (no positions): textual inversion overwrites rows of this. */
    public NDArray tokenEmbeddings(NDArray tokenIds) {
        placement.enter(prefix);
        if (tokenIds.getDataType() == DataType.INT64) {
            return Embedding.embedding(tokenIds, tokenEmbedding.get(), SparseFormat.DENSE).singletonOrThrow();
        }
        try (NDArray ids = tokenIds.toType(DataType.INT64, true)) {
            return Embedding.embedding(ids, tokenEmbedding.get(), SparseFormat.DENSE).singletonOrThrow();
        }
    }

    /** The encoder run on given token embeddings [B, T, W]; clip skip as in {@link #encode}. */
    public NDArray encodeEmbeddings(NDArray tokenEmbeddings, int clipSkip) {
        placement.enter(prefix);
        if (clipSkip < 1 || clipSkip > layers.size()) {
            throw new IllegalArgumentException("clip skip must be in 1.." + layers.size() + ", not " + clipSkip);
        }
        try (NDArray hidden = hiddenState(tokenEmbeddings, layers.size() - (clipSkip - 1))) {
            return finalNorm.forward(hidden);
        }
    }

    /**
     * HF's {@code hidden_states[layerCount]}: the embeddings after the first {@code layerCount} layers, before the
     * final layer norm. Clip skip N is {@code hiddenState(e, L - N + 1)} followed by the final norm.
     */
    public NDArray hiddenState(NDArray tokenEmbeddings, int layerCount) {
        placement.enter(prefix);
        long tokens = tokenEmbeddings.getShape().get(1);
        NDManager m = tokenEmbeddings.getManager();
        NDArray positions = positionEmbedding.get().get("0:{}", tokens);
        positions.attach(m); // a fresh slice: keep it out of the weights' manager
        NDArray h = tokenEmbeddings.add(positions);
        positions.close();
        try (NDArray mask = CausalMask.create(m, tokens, tokenEmbeddings.getDataType())) {
            for (int i = 0; i < layerCount; i++) {
                NDArray next = layers.get(i).forward(h, mask);
                h.close();
                h = next;
            }
        }
        return h;
    }

    /** Pooled output: the final-normed state at each row's EOS, found as argmax of the ids (EOS has the top id). */
    public NDArray pooled(NDArray lastHidden, NDArray tokenIds) {
        return EndOfText.rows(lastHidden, tokenIds);
    }

    /** Who brings the weights to the compute device before the model runs (memory modes). */
    public void setPlacement(Placement placement) {
        this.placement = placement;
    }

    /** The attention helper of this model (unchunked by default: 77 tokens). */
    public Attention attention() {
        return attention;
    }
}

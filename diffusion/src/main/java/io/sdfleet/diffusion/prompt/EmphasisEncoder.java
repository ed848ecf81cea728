package io.sdfleet.diffusion.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.model.TextEncoder;

/**
 * A1111's conditioning for one prompt: every chunk through the text encoder, then "Original" emphasis — the
 * chunk's hidden states times each token's multiplier, rescaled so the chunk's overall mean is what it was — and
 * the chunks joined along the token axis: [1, 77·k, C].
 */
public final class EmphasisEncoder {

    private final TextEncoder encoder;

    public EmphasisEncoder(TextEncoder encoder) {
        this.encoder = encoder;
    }

    /**
     * Sees each chunk's encoder output before emphasis: SDXL's pooled vector comes from the first chunk's
     * unemphasised hidden state (A1111 keeps {@code z.pooled} from before the multipliers).
     */
    @FunctionalInterface
    public interface ChunkListener {

        ChunkListener NONE = (index, tokens, encoded) -> { };

        /**
         * @param tokens  [1, 77] int64 ids of chunk {@code index}
         * @param encoded [1, 77, C] the encoder's output in its own float type; both live in a scope that closes
         *                when {@link #encode} returns, so keep only what you derive from them, attached elsewhere
         */
        void onChunk(int index, NDArray tokens, NDArray encoded);
    }

    /** The conditioning in {@code manager}, fp32. */
    public NDArray encode(NDManager manager, TokenizedPrompt prompt, int clipSkip) {
        return encode(manager, prompt, clipSkip, ChunkListener.NONE);
    }

    /** As {@link #encode(NDManager, TokenizedPrompt, int)}, showing each chunk's raw output to {@code listener}. */
    public NDArray encode(NDManager manager, TokenizedPrompt prompt, int clipSkip, ChunkListener listener) {
        NDList chunks = new NDList();
        try (NDManager scope = manager.newSubManager()) {
            for (PromptChunk chunk : prompt.chunks()) {
                NDArray tokens = scope.create(chunk.tokens(), new Shape(1, chunk.tokens().length));
                NDArray encoded = encodeChunk(scope, tokens, chunk, clipSkip);
                encoded.attach(scope);
                listener.onChunk(chunks.size(), tokens, encoded);
                NDArray z = encoded.toType(DataType.FLOAT32, false);
                z.attach(scope);
                chunks.add(allOnes(chunk.multipliers()) ? z
                        : emphasise(z, scope.create(chunk.multipliers(), new Shape(1, chunk.multipliers().length, 1))));
            }
            NDArray joined = chunks.size() == 1 ? chunks.get(0) : NDArrays.concat(chunks, 1);
            joined.attach(manager);
            return joined;
        }
    }

    /**
     * The chunk through the text encoder; with textual-inversion fixes, the token embeddings after each fix's
     * offset (+1 for BOS) are replaced by the embedding's vectors first (A1111's {@code EmbeddingsWithFixes}).
     */
    private NDArray encodeChunk(NDManager scope, NDArray tokens, PromptChunk chunk, int clipSkip) {
        if (chunk.fixes().isEmpty()) {
            return encoder.encode(tokens, clipSkip);
        }
        NDArray embeddings = encoder.tokenEmbeddings(tokens);
        embeddings.attach(scope);
        long length = embeddings.getShape().get(1);
        for (PromptChunk.Fix fix : chunk.fixes()) {
            EmbeddingVectors e = fix.embedding();
            if (e.width() != embeddings.getShape().get(2)) {
                throw new IllegalArgumentException("embedding " + e.name() + " has vectors of width " + e.width()
                        + " but this text encoder's are " + embeddings.getShape().get(2) + " wide");
            }
            int rows = (int) Math.min(length - fix.offset() - 1, e.count());
            NDArray vectors = scope.create(e.values(), new Shape(e.count(), e.width()))
                    .get("0:{}", rows).toType(embeddings.getDataType(), false);
            embeddings.set(new NDIndex("0, {}:{}", fix.offset() + 1, fix.offset() + 1 + rows), vectors);
        }
        return encoder.encodeEmbeddings(embeddings, clipSkip);
    }

    /**
     * Without emphasis the rescale is the identity, so it is skipped: mean(z) can be 0 (a model with random weights
     * ends in a plain layer norm), and then mean(z)/mean(z·1) is 0/0 on devices whose reduction lands on exactly 0.
     */
    static boolean allOnes(float[] multipliers) {
        for (float m : multipliers) {
            if (m != 1f) {
                return false;
            }
        }
        return true;
    }

    /** z·m rescaled by mean(z)/mean(z·m), as A1111's EmphasisOriginal does. */
    public static NDArray emphasise(NDArray z, NDArray multipliers) {
        NDArray originalMean = z.mean();
        NDArray weighted = z.mul(multipliers);
        NDArray newMean = weighted.mean();
        return weighted.mul(originalMean.div(newMean));
    }
}

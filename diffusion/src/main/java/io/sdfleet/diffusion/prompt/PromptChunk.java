package io.sdfleet.diffusion.prompt;

import java.util.List;

/**
 * One 77-token window of a prompt: BOS, 75 ids (EOS-padded), EOS, each token's emphasis multiplier, and the
 * textual-inversion embeddings whose vectors replace the token embeddings after position {@code offset}.
 */
public record PromptChunk(long[] tokens, float[] multipliers, List<Fix> fixes) {

    public PromptChunk {
        fixes = List.copyOf(fixes);
    }

    public PromptChunk(long[] tokens, float[] multipliers) {
        this(tokens, multipliers, List.of());
    }

    /** A1111's {@code PromptChunkFix}: the embedding's vectors go to rows offset+1 .. offset+count (after BOS). */
    public record Fix(int offset, EmbeddingVectors embedding) {
    }
}

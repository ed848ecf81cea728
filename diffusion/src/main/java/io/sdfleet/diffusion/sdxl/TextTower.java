package io.sdfleet.diffusion.sdxl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.model.TextEncoder;
import io.sdfleet.diffusion.prompt.EmbeddingLookup;
import io.sdfleet.diffusion.prompt.EmphasisEncoder;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.prompt.TokenizedPrompt;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

/**
 * One SDXL text encoder as A1111 wraps it ({@code sd_hijack_clip}): its own 75-token chunks (padded as the encoder
 * wants: CLIP-L with end-of-text, bigG with 0), its textual-inversion names, and "Original" emphasis per chunk.
 */
public final class TextTower {

    private final TextEncoder encoder;
    private final PromptChunker chunker;
    private final EmphasisEncoder emphasis;

    TextTower(TextEncoder encoder, ClipTokenizer tokenizer, EmbeddingLookup embeddings) {
        this.encoder = encoder;
        this.chunker = new PromptChunker(tokenizer, encoder.paddingId(), embeddings);
        this.emphasis = new EmphasisEncoder(encoder);
    }

    public TokenizedPrompt tokenize(String text) {
        return chunker.tokenize(text);
    }

    /** The emphasised chunks joined along tokens, [1, 77·k, width] fp32 in {@code manager}. */
    public NDArray encode(NDManager manager, TokenizedPrompt prompt, EmphasisEncoder.ChunkListener listener) {
        return emphasis.encode(manager, prompt, 1, listener); // SDXL's layers are fixed: clip skip does not apply
    }

    public TextEncoder encoder() {
        return encoder;
    }

    public int width() {
        return encoder.width();
    }
}

package io.sdfleet.diffusion.prompt;

import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Optional;

/**
 * A1111's {@code tokenize_line}: the emphasis-parsed prompt is tokenised piece by piece and poured into chunks of
 * 75 ids. {@code BREAK} closes a chunk. When a chunk is full and a comma was seen within its last 20 ids, the ids
 * after that comma move to the next chunk, so a phrase is not cut in two ("comma back-off"). A textual-inversion
 * name is replaced by one placeholder id per vector of its embedding, so chunking counts vectors, not name tokens.
 *
 * <p>Each chunk is BOS, its ids, then end-of-text up to 77. Encoders that pad with another id (OpenCLIP: 0) get
 * every position after the first end-of-text replaced by it, as A1111's {@code process_tokens} does for SD 2.x.
 */
public final class PromptChunker {

    public static final int CHUNK_LENGTH = 75;
    public static final int COMMA_PADDING_BACKTRACK = 20;

    /** The id A1111 puts where embedding vectors go (the vectors overwrite its embedding). */
    public static final long PLACEHOLDER_ID = 0;

    private final ClipTokenizer tokenizer;
    private final EmbeddingLookup embeddings;
    private final int commaId;
    private final OptionalLong paddingId;

    /** Chunks padded with end-of-text (SD 1.x). */
    public PromptChunker(ClipTokenizer tokenizer) {
        this(tokenizer, OptionalLong.empty(), EmbeddingLookup.NONE);
    }

    /** @param paddingId the id after the first end-of-text, or empty for end-of-text itself */
    public PromptChunker(ClipTokenizer tokenizer, OptionalLong paddingId) {
        this(tokenizer, paddingId, EmbeddingLookup.NONE);
    }

    public PromptChunker(ClipTokenizer tokenizer, EmbeddingLookup embeddings) {
        this(tokenizer, OptionalLong.empty(), embeddings);
    }

    public PromptChunker(ClipTokenizer tokenizer, OptionalLong paddingId, EmbeddingLookup embeddings) {
        this.tokenizer = tokenizer;
        this.embeddings = embeddings;
        this.commaId = tokenizer.id(",</w>");
        this.paddingId = paddingId;
    }

    public TokenizedPrompt tokenize(String prompt) {
        Builder b = new Builder();
        for (WeightedText piece : PromptAttention.parse(prompt)) {
            if (piece.isBreak()) {
                b.nextChunk(false);
                continue;
            }
            int[] tokens = tokenizer.encode(piece.text());
            int position = 0;
            while (position < tokens.length) {
                int token = tokens[position];
                if (token == commaId) {
                    b.lastComma = b.tokens.size();
                } else if (b.tokens.size() == CHUNK_LENGTH && b.lastComma != -1
                        && b.tokens.size() - b.lastComma <= COMMA_PADDING_BACKTRACK) {
                    // As in A1111, the embedding fixes stay with the chunk they were found in.
                    int cut = b.lastComma + 1;
                    List<Long> movedTokens = new ArrayList<>(b.tokens.subList(cut, b.tokens.size()));
                    List<Float> movedWeights = new ArrayList<>(b.multipliers.subList(cut, b.multipliers.size()));
                    b.tokens.subList(cut, b.tokens.size()).clear();
                    b.multipliers.subList(cut, b.multipliers.size()).clear();
                    b.nextChunk(false);
                    b.tokens.addAll(movedTokens);
                    b.multipliers.addAll(movedWeights);
                }
                if (b.tokens.size() == CHUNK_LENGTH) {
                    b.nextChunk(false);
                }
                Optional<EmbeddingLookup.Match> match = embeddings.at(tokens, position);
                if (match.isEmpty()) {
                    b.tokens.add((long) token);
                    b.multipliers.add((float) piece.weight());
                    position++;
                    continue;
                }
                // An embedding takes as many positions as it has vectors, all in one chunk when they fit.
                EmbeddingVectors embedding = match.get().embedding();
                if (b.tokens.size() + embedding.count() > CHUNK_LENGTH) {
                    b.nextChunk(false);
                }
                b.fixes.add(new PromptChunk.Fix(b.tokens.size(), embedding));
                for (int i = 0; i < embedding.count(); i++) {
                    b.tokens.add(PLACEHOLDER_ID);
                    b.multipliers.add((float) piece.weight());
                }
                position += match.get().tokenLength();
            }
        }
        if (!b.tokens.isEmpty() || b.chunks.isEmpty()) {
            b.nextChunk(true);
        }
        return new TokenizedPrompt(List.copyOf(b.chunks), b.tokenCount);
    }

    private void padAfterFirstEnd(long[] ids, long pad) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == tokenizer.eos()) {
                Arrays.fill(ids, i + 1, ids.length, pad);
                return;
            }
        }
    }

    private final class Builder {
        final List<PromptChunk> chunks = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        List<Float> multipliers = new ArrayList<>();
        List<PromptChunk.Fix> fixes = new ArrayList<>();
        int tokenCount;
        int lastComma = -1;

        void nextChunk(boolean isLast) {
            tokenCount += isLast ? tokens.size() : CHUNK_LENGTH;
            long[] ids = new long[CHUNK_LENGTH + 2];
            float[] mults = new float[CHUNK_LENGTH + 2];
            Arrays.fill(ids, tokenizer.eos());
            Arrays.fill(mults, 1f);
            ids[0] = tokenizer.bos();
            for (int i = 0; i < tokens.size(); i++) {
                ids[i + 1] = tokens.get(i);
                mults[i + 1] = multipliers.get(i);
            }
            paddingId.ifPresent(pad -> padAfterFirstEnd(ids, pad));
            chunks.add(new PromptChunk(ids, mults, fixes));
            tokens = new ArrayList<>();
            multipliers = new ArrayList<>();
            fixes = new ArrayList<>();
            lastComma = -1;
        }
    }
}

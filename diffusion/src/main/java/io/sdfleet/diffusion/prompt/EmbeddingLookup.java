package io.sdfleet.diffusion.prompt;

import java.util.Optional;

/** Recognises textual-inversion names in a tokenised prompt (A1111's {@code find_embedding_at_position}). */
public interface EmbeddingLookup {

    EmbeddingLookup NONE = (tokens, position) -> Optional.empty();

    /** The embedding whose name's tokens start at {@code tokens[position]} (the longest name when several do). */
    Optional<Match> at(int[] tokens, int position);

    /** An embedding found in the prompt and how many prompt tokens its name took. */
    record Match(int tokenLength, EmbeddingVectors embedding) {
    }
}

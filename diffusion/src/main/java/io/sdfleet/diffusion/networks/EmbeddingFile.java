package io.sdfleet.diffusion.networks;

import io.sdfleet.diffusion.prompt.EmbeddingVectors;

import java.util.Map;
import java.util.Optional;

/**
 * A textual-inversion file as A1111's {@code create_embedding_from_data} reads it: one set of vectors
 * ({@code single}, for a one-tower model), or SDXL's set per tower ({@code byTower}: {@code clip_l} and
 * {@code clip_g}); exactly one of the two is present.
 */
record EmbeddingFile(String name, Optional<EmbeddingVectors> single, Map<EmbeddingTower, EmbeddingVectors> byTower) {

    EmbeddingFile {
        byTower = Map.copyOf(byTower);
        if (single.isPresent() == !byTower.isEmpty()) {
            throw new IllegalArgumentException("embedding " + name + ": one set of vectors or one per tower");
        }
    }

    /**
     * A1111's {@code embedding.shape}, which must equal the model's expected shape (the sum of its towers' widths)
     * for the embedding to be offered: the width, or for SDXL files clip_g's width plus clip_l's.
     */
    int shape() {
        return single.map(EmbeddingVectors::width)
                .orElseGet(() -> byTower.values().stream().mapToInt(EmbeddingVectors::width).sum());
    }

    /** The vectors {@code tower} reads in place of the name's tokens, when the file has some for it. */
    Optional<EmbeddingVectors> forTower(EmbeddingTower tower) {
        return single.or(() -> Optional.ofNullable(byTower.get(tower)));
    }
}

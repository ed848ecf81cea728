package io.sdfleet.diffusion.networks;

import io.sdfleet.diffusion.prompt.EmbeddingLookup;
import io.sdfleet.diffusion.prompt.EmbeddingVectors;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The textual-inversion embeddings one text encoder recognises in prompts by name, as A1111's
 * {@code EmbeddingDatabase} does: each name is tokenised, and a prompt position matches when the name's tokens
 * follow there (longest name first). A folder is read with {@link TextualInversions}, which gives each of a model's
 * towers its registry; names left out stay plain text, as in A1111.
 */
public final class EmbeddingRegistry implements EmbeddingLookup {

    private record Entry(int[] ids, EmbeddingVectors embedding) {
    }

    private final Map<Integer, List<Entry>> byFirstId = new HashMap<>();
    private final Map<String, EmbeddingVectors> loaded = new LinkedHashMap<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();

    /** The embeddings of {@code library} whose vectors are {@code width} wide (a one-tower model: SD 1.x, 2.x). */
    public EmbeddingRegistry(NetworkLibrary library, ClipTokenizer tokenizer, int width) {
        this(TextualInversions.load(library, tokenizer, List.of(new EmbeddingTower.Width(EmbeddingTower.CLIP_L, width))),
                EmbeddingTower.CLIP_L);
    }

    private EmbeddingRegistry(TextualInversions read, EmbeddingTower tower) {
        EmbeddingRegistry registry = read.registry(tower);
        byFirstId.putAll(registry.byFirstId);
        loaded.putAll(registry.loaded);
        skipped.putAll(registry.skipped);
    }

    /** A registry of the given embeddings (already read), for callers that load them themselves. */
    public EmbeddingRegistry(List<EmbeddingVectors> embeddings, ClipTokenizer tokenizer) {
        this(embeddings, tokenizer, Map.of());
    }

    /** @param skipped files already left out, with the reason */
    EmbeddingRegistry(List<EmbeddingVectors> embeddings, ClipTokenizer tokenizer, Map<String, String> skipped) {
        this.skipped.putAll(skipped);
        embeddings.forEach(e -> register(e, tokenizer));
    }

    private void register(EmbeddingVectors embedding, ClipTokenizer tokenizer) {
        int[] ids = tokenizer.encode(embedding.name());
        if (ids.length == 0) {
            skipped.put(embedding.name(), "the name has no tokens");
            return;
        }
        loaded.put(embedding.name(), embedding);
        List<Entry> entries = byFirstId.computeIfAbsent(ids[0], k -> new ArrayList<>());
        entries.add(new Entry(ids, embedding));
        entries.sort(Comparator.comparingInt((Entry e) -> e.ids().length).reversed());
    }

    @Override
    public Optional<Match> at(int[] tokens, int position) {
        for (Entry entry : byFirstId.getOrDefault(tokens[position], List.of())) {
            int end = position + entry.ids().length;
            if (end <= tokens.length && Arrays.equals(tokens, position, end, entry.ids(), 0, entry.ids().length)) {
                return Optional.of(new Match(entry.ids().length, entry.embedding()));
            }
        }
        return Optional.empty();
    }

    /** The embeddings prompts can use, by name. */
    public Map<String, EmbeddingVectors> loaded() {
        return Map.copyOf(loaded);
    }

    /** Files left out, with the reason. */
    public Map<String, String> skipped() {
        return Map.copyOf(skipped);
    }
}

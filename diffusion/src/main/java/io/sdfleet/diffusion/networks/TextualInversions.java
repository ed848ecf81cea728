package io.sdfleet.diffusion.networks;

import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.prompt.EmbeddingLookup;
import io.sdfleet.diffusion.prompt.EmbeddingVectors;
import io.sdfleet.diffusion.sdxl.SdxlTextEncoders;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * An embeddings folder read for one model's text towers, as A1111's {@code EmbeddingDatabase}: a file is offered
 * only when its shape is the model's expected shape, the sum of the towers' widths (768 for SD 1.x, 1024 for SD 2.x,
 * 768 + 1280 for the SDXL base, 1280 for the refiner), so SD 1.x embeddings never reach SDXL nor SDXL's reach SD 1.x
 * or the refiner; the others are {@link #skipped()}, with the reason. Each tower then reads its own vectors: SDXL
 * files have {@code clip_l} for CLIP-L and {@code clip_g} for bigG (A1111's {@code embedding.vec[textual_inversion_key]}).
 */
public final class TextualInversions {

    private final Map<EmbeddingTower, EmbeddingRegistry> byTower;
    private final Map<String, String> skipped;

    private TextualInversions(Map<EmbeddingTower, EmbeddingRegistry> byTower, Map<String, String> skipped) {
        this.byTower = byTower;
        this.skipped = skipped;
    }

    /** The folder's embeddings for {@code model}'s towers (none when it has no embeddings folder). */
    public static TextualInversions forModel(StableDiffusionModel model, NetworkLibrary library) {
        // a model without embeddings needs no tokenizer here (one loaded for another use may have none)
        return load(library, library.files().isEmpty() ? null : model.tokenizer(), towersOf(model));
    }

    /** The towers textual inversion feeds in {@code model}, in the conditioner's order. */
    public static List<EmbeddingTower.Width> towersOf(StableDiffusionModel model) {
        Optional<SdxlTextEncoders> sdxl = model.sdxlTextEncoders();
        if (sdxl.isEmpty()) {
            EmbeddingTower tower = model.textEncoder() instanceof ClipTextModel ? EmbeddingTower.CLIP_L
                    : EmbeddingTower.CLIP_G; // SD 2.x's OpenCLIP
            return List.of(new EmbeddingTower.Width(tower, model.textEncoder().width()));
        }
        List<EmbeddingTower.Width> towers = new ArrayList<>();
        sdxl.get().clipL().ifPresent(l -> towers.add(new EmbeddingTower.Width(EmbeddingTower.CLIP_L, l.width())));
        towers.add(new EmbeddingTower.Width(EmbeddingTower.CLIP_G, sdxl.get().bigG().width()));
        return towers;
    }

    /** Reads every file of {@code library} once and gives each of {@code towers} the embeddings that fit. */
    public static TextualInversions load(NetworkLibrary library, ClipTokenizer tokenizer,
                                         List<EmbeddingTower.Width> towers) {
        int expected = towers.stream().mapToInt(EmbeddingTower.Width::width).sum();
        Map<EmbeddingTower, List<EmbeddingVectors>> fitting = new EnumMap<>(EmbeddingTower.class);
        towers.forEach(t -> fitting.put(t.tower(), new ArrayList<>()));
        Map<String, String> skipped = new LinkedHashMap<>();
        library.files().forEach((name, file) -> {
            try {
                EmbeddingFile embedding = EmbeddingFiles.open(file, name);
                String misfit = misfit(embedding, towers, expected);
                if (misfit != null) {
                    skipped.put(name, misfit);
                    return;
                }
                towers.forEach(t -> fitting.get(t.tower()).add(embedding.forTower(t.tower()).orElseThrow()));
            } catch (RuntimeException ex) {
                skipped.put(name, String.valueOf(ex.getMessage()));
            }
        });
        Map<EmbeddingTower, EmbeddingRegistry> byTower = new EnumMap<>(EmbeddingTower.class);
        fitting.forEach((tower, embeddings) -> byTower.put(tower, new EmbeddingRegistry(embeddings, tokenizer, skipped)));
        // a name the tokenizer cannot spell is left out by every tower alike
        byTower.values().forEach(r -> r.skipped().forEach(skipped::putIfAbsent));
        return new TextualInversions(byTower, Map.copyOf(skipped));
    }

    /**
     * Why the file is not offered to these towers, or null when it is: A1111's shape rule, then (beyond A1111,
     * which would fail mid-run) every tower must have vectors of its width, and SDXL's two sets the same count,
     * since both towers give the name the same prompt positions.
     */
    private static String misfit(EmbeddingFile embedding, List<EmbeddingTower.Width> towers, int expected) {
        if (embedding.shape() != expected) {
            return "vectors are " + embedding.shape() + " wide, the model's text encoders " + expected;
        }
        Integer count = null;
        for (EmbeddingTower.Width tower : towers) {
            Optional<EmbeddingVectors> vectors = embedding.forTower(tower.tower());
            if (vectors.isEmpty() || vectors.get().width() != tower.width()) {
                return "no vectors " + tower.width() + " wide for " + tower.tower().fileKey();
            }
            if (count != null && count != vectors.get().count()) {
                return "clip_l and clip_g have different numbers of vectors";
            }
            count = vectors.get().count();
        }
        return null;
    }

    /** What {@code tower} recognises; {@link EmbeddingLookup#NONE} for a tower the model lacks. */
    public EmbeddingLookup lookup(EmbeddingTower tower) {
        EmbeddingRegistry registry = byTower.get(tower);
        return registry != null ? registry : EmbeddingLookup.NONE;
    }

    EmbeddingRegistry registry(EmbeddingTower tower) {
        EmbeddingRegistry registry = byTower.get(tower);
        if (registry == null) {
            throw new IllegalArgumentException("no " + tower.fileKey() + " tower among " + byTower.keySet());
        }
        return registry;
    }

    /** The embeddings prompts can use, by name (each tower has the same names). */
    public Set<String> loaded() {
        return byTower.values().iterator().next().loaded().keySet();
    }

    /** Files left out, with the reason (A1111's "skipped" in /sdapi/v1/embeddings). */
    public Map<String, String> skipped() {
        return skipped;
    }
}

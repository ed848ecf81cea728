package io.sdfleet.diffusion.sdxl;

import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.clip.OpenClipTextModel;
import io.sdfleet.diffusion.nn.Weights;

import java.util.Optional;
import java.util.function.LongToIntFunction;

/**
 * The text towers of an SDXL single-file checkpoint, found by their keys as sgm's {@code GeneralConditioner}
 * numbers them: the base has CLIP ViT-L as embedder 0 (Hugging Face layout) and bigG as embedder 1 (open_clip
 * layout); the refiner has bigG alone as embedder 0.
 */
public record SdxlTextEncoders(Optional<ClipLPenultimate> clipL, BigGPenultimate bigG) {

    public static final String BASE_CLIP_L_PREFIX = "conditioner.embedders.0.transformer.text_model.";
    public static final String BASE_BIG_G_PREFIX = "conditioner.embedders.1.model.";
    public static final String REFINER_BIG_G_PREFIX = "conditioner.embedders.0.model.";

    private static final String BIG_G_PROBE = "ln_final.weight"; // A1111's own probe (sd_models_config)
    private static final String CLIP_L_PROBE = "embeddings.token_embedding.weight";

    /** Whether {@code root} (a checkpoint's root view) holds SDXL base or refiner text towers. */
    public static boolean present(Weights root) {
        return root.has(BASE_BIG_G_PREFIX + BIG_G_PROBE) || root.has(REFINER_BIG_G_PREFIX + BIG_G_PROBE);
    }

    /**
     * Loads the towers from a checkpoint's root view.
     *
     * @param headsForWidth the attention heads of a tower of the given width (a sidecar's
     *                      {@code ModelSidecar::textHeadsFor}: released CLIPs use 64-wide heads, 768 → 12, 1280 → 20)
     */
    public static SdxlTextEncoders load(Weights root, LongToIntFunction headsForWidth) {
        if (root.has(BASE_BIG_G_PREFIX + BIG_G_PROBE)) {
            Weights clipL = root.at(BASE_CLIP_L_PREFIX);
            if (!clipL.has(CLIP_L_PROBE)) {
                throw new IllegalArgumentException("SDXL base checkpoint without its CLIP ViT-L (" + BASE_CLIP_L_PREFIX
                        + CLIP_L_PROBE + ")");
            }
            ClipTextModel l = ClipTextModel.load(clipL, headsForWidth.applyAsInt(clipL.shape(CLIP_L_PROBE)[1]));
            return new SdxlTextEncoders(Optional.of(new ClipLPenultimate(l)), bigG(root.at(BASE_BIG_G_PREFIX),
                    headsForWidth));
        }
        if (root.has(REFINER_BIG_G_PREFIX + BIG_G_PROBE)) {
            return new SdxlTextEncoders(Optional.empty(), bigG(root.at(REFINER_BIG_G_PREFIX), headsForWidth));
        }
        throw new IllegalArgumentException("no SDXL text towers: neither " + BASE_BIG_G_PREFIX + BIG_G_PROBE
                + " nor " + REFINER_BIG_G_PREFIX + BIG_G_PROBE);
    }

    private static BigGPenultimate bigG(Weights w, LongToIntFunction headsForWidth) {
        int heads = headsForWidth.applyAsInt(w.shape("token_embedding.weight")[1]);
        return new BigGPenultimate(OpenClipTextModel.load(w, heads));
    }

    /** The refiner conditions on bigG alone (and on an aesthetic score instead of the target size). */
    public boolean isRefiner() {
        return clipL.isEmpty();
    }

    /** Channels of the context: 768 + 1280 = 2048 for the base, 1280 for the refiner. */
    public int contextWidth() {
        return clipL.map(ClipLPenultimate::width).orElse(0) + bigG.width();
    }
}

package io.sdfleet.diffusion.checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SDXL's second text encoder as diffusers ships it (Hugging Face {@code CLIPTextModelWithProjection}) seen in the
 * open_clip layout the single-file checkpoints keep ({@code token_embedding}, {@code positional_embedding},
 * {@code transformer.resblocks.N.*}, {@code ln_final}, {@code text_projection}), as A1111's
 * {@code convert_openclip} does in reverse. Two tensors are not plain renames: open_clip stores the q, k and v
 * projections stacked in one {@code attn.in_proj_*}, and applies {@code text_projection} as {@code x @ P} where HF's
 * Linear computes {@code x Wᵀ}, so P = Wᵀ.
 */
final class OpenClipDiffusersKeys {

    /** How one open_clip tensor is made from HF tensors: their concatenation on dim 0, or one transposed. */
    record Recipe(List<String> parts, boolean transpose) {

        static Recipe rename(String key) {
            return new Recipe(List.of(key), false);
        }
    }

    /** HF buffers open_clip does not keep (positions are implied by order). */
    static final Set<String> DROPPED = Set.of("text_model.embeddings.position_ids");

    private static final Pattern LAYER = Pattern.compile("text_model\\.encoder\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern Q_PROJ = Pattern.compile("self_attn\\.q_proj\\.(weight|bias)");
    private static final Map<String, String> LAYER_RENAMES = Map.of(
            "layer_norm1.", "ln_1.", "layer_norm2.", "ln_2.", "mlp.fc1.", "mlp.c_fc.", "mlp.fc2.", "mlp.c_proj.",
            "self_attn.out_proj.", "attn.out_proj.");
    private static final Map<String, String> TOP_RENAMES = Map.of(
            "text_model.embeddings.token_embedding.weight", "token_embedding.weight",
            "text_model.embeddings.position_embedding.weight", "positional_embedding",
            "text_model.final_layer_norm.weight", "ln_final.weight",
            "text_model.final_layer_norm.bias", "ln_final.bias");

    private OpenClipDiffusersKeys() {
    }

    /**
     * open_clip key (without prefix) → how to build it, for every HF key that has a counterpart; the HF keys used
     * are collected in {@code used} (the caller reports the others).
     */
    static Map<String, Recipe> recipes(Collection<String> hfKeys, Set<String> used) {
        Map<String, Recipe> out = new LinkedHashMap<>();
        for (String key : hfKeys) {
            String top = TOP_RENAMES.get(key);
            if (top != null) {
                out.put(top, Recipe.rename(key));
                used.add(key);
            } else if (key.equals("text_projection.weight")) {
                out.put("text_projection", new Recipe(List.of(key), true));
                used.add(key);
            } else {
                Matcher m = LAYER.matcher(key);
                if (m.matches()) {
                    layer(out, used, hfKeys, m.group(1), m.group(2));
                }
            }
        }
        return out;
    }

    private static void layer(Map<String, Recipe> out, Set<String> used, Collection<String> hfKeys, String index,
                              String rest) {
        String hf = "text_model.encoder.layers." + index + ".";
        String oc = "transformer.resblocks." + index + ".";
        for (Map.Entry<String, String> e : LAYER_RENAMES.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                out.put(oc + e.getValue() + rest.substring(e.getKey().length()), Recipe.rename(hf + rest));
                used.add(hf + rest);
                return;
            }
        }
        Matcher qkv = Q_PROJ.matcher(rest);
        if (qkv.matches()) { // the q key stands for the stacked tensor; k and v join it when all three exist
            String param = qkv.group(1);
            List<String> parts = new ArrayList<>();
            for (String p : List.of("q", "k", "v")) {
                parts.add(hf + "self_attn." + p + "_proj." + param);
            }
            if (hfKeys.containsAll(parts)) {
                out.put(oc + "attn.in_proj_" + param, new Recipe(parts, false));
                used.addAll(parts);
            }
        }
    }
}

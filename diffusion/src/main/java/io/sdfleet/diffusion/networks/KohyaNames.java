package io.sdfleet.diffusion.networks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names kohya's LoRA trainer gives a module of an LDM checkpoint. kohya names UNet modules after their diffusers
 * path ({@code lora_unet_down_blocks_1_attentions_0_proj_in}) and text-encoder modules after the HF CLIP path
 * ({@code lora_te_text_model_encoder_layers_0_self_attn_q_proj}), dots turned into underscores; some older files,
 * and kohya's SDXL trainer, use the LDM path itself ({@code lora_unet_input_blocks_4_1_proj_in}), which A1111
 * accepts too.
 *
 * <p>SDXL's towers are {@code lora_te1_} (CLIP-L, HF layout as SD 1.x's) and {@code lora_te2_} (bigG, named as if
 * it were HF CLIP: {@code mlp_fc1/fc2} for open_clip's {@code mlp.c_fc/c_proj}, {@code self_attn_q/k/v_proj} for
 * the thirds of {@code attn.in_proj_weight}, {@code self_attn_out_proj} for {@code attn.out_proj}): A1111's
 * {@code convert_diffusers_name_to_compvis} read the other way round.
 *
 * <p>Going from the LDM key to the names (rather than parsing the underscored names back) avoids guessing which
 * underscores were dots. The diffusers layout of SD 1.x/2.x and SDXL has two resnets per down level and three per
 * up level.
 */
final class KohyaNames {

    public static final String UNET_PREFIX = "lora_unet_";
    public static final String TEXT_PREFIX = "lora_te_";
    public static final String SDXL_CLIP_L_PREFIX = "lora_te1_";
    public static final String SDXL_BIG_G_PREFIX = "lora_te2_";

    /** The open_clip key of one stacked attention projection, after {@code ...attn}. */
    public static final String STACKED_PROJECTION = ".in_proj_weight";

    private static final String LDM_UNET = "model.diffusion_model.";
    private static final String LDM_TEXT = "cond_stage_model.transformer.";
    private static final String SDXL_CLIP_L = "conditioner.embedders.0.transformer.";
    private static final String SDXL_BIG_G = "conditioner.embedders.1.model.transformer.resblocks.";
    private static final String HF_LAYER = "text_model_encoder_layers_";
    private static final Pattern BIG_G_ATTENTION =
            Pattern.compile(Pattern.quote(SDXL_BIG_G_PREFIX + HF_LAYER) + "(\\d+)_self_attn_(q|k|v|out)_proj");
    private static final List<String> STACKED_PARTS = List.of("q", "k", "v"); // the row order of in_proj_weight

    /** open_clip's module names in a bigG block, and the HF CLIP names kohya gives them. */
    private static final Map<String, String> BIG_G_MODULES = Map.of(
            "mlp.c_fc", "mlp_fc1", "mlp.c_proj", "mlp_fc2", "attn.out_proj", "self_attn_out_proj");
    private static final int DOWN_SLOTS = 3; // two resnets (+ attentions) and a downsampler per level
    private static final int UP_SLOTS = 3;   // three resnets (+ attentions) per level, the upsampler in the last

    private static final Map<String, String> RESNET = Map.of(
            "in_layers.0", "norm1", "in_layers.2", "conv1", "emb_layers.1", "time_emb_proj",
            "out_layers.0", "norm2", "out_layers.3", "conv2", "skip_connection", "conv_shortcut");

    private static final Map<String, String> TOP_LEVEL = Map.of(
            "time_embed.0", "time_embedding.linear_1", "time_embed.2", "time_embedding.linear_2",
            "input_blocks.0.0", "conv_in", "out.0", "conv_norm_out", "out.2", "conv_out");

    private KohyaNames() {
    }

    /**
     * Every kohya name of the module at {@code moduleKey} (an LDM key without {@code .weight}); empty for modules
     * outside the UNet and the text encoder.
     */
    public static List<String> of(String moduleKey) {
        List<String> names = new ArrayList<>();
        if (moduleKey.startsWith(LDM_TEXT)) {
            names.add(TEXT_PREFIX + underscored(moduleKey.substring(LDM_TEXT.length())));
        } else if (moduleKey.startsWith(SDXL_CLIP_L)) {
            names.add(SDXL_CLIP_L_PREFIX + underscored(moduleKey.substring(SDXL_CLIP_L.length())));
        } else if (moduleKey.startsWith(SDXL_BIG_G)) {
            String[] layerAndModule = moduleKey.substring(SDXL_BIG_G.length()).split("\\.", 2);
            String hf = layerAndModule.length == 2 ? BIG_G_MODULES.get(layerAndModule[1]) : null;
            if (hf != null) {
                names.add(SDXL_BIG_G_PREFIX + HF_LAYER + layerAndModule[0] + "_" + hf);
            }
        } else if (moduleKey.startsWith(LDM_UNET)) {
            String ldm = moduleKey.substring(LDM_UNET.length());
            String diffusers = diffusersUNetPath(ldm);
            if (diffusers != null) {
                names.add(UNET_PREFIX + underscored(diffusers));
            }
            names.add(UNET_PREFIX + underscored(ldm));
        }
        return names;
    }

    /**
     * The kohya names of the q, k and v thirds of a stacked projection ({@code attentionKey} + {@code .in_proj_weight},
     * e.g. {@code conditioner.embedders.1.model.transformer.resblocks.0.attn}), in row order; empty where kohya
     * names none (only SDXL's bigG).
     */
    public static List<String> ofStackedProjection(String attentionKey) {
        String suffix = ".attn";
        if (!attentionKey.startsWith(SDXL_BIG_G) || !attentionKey.endsWith(suffix)) {
            return List.of();
        }
        String layer = attentionKey.substring(SDXL_BIG_G.length(), attentionKey.length() - suffix.length());
        return STACKED_PARTS.stream().map(p -> SDXL_BIG_G_PREFIX + HF_LAYER + layer + "_self_attn_" + p + "_proj")
                .toList();
    }

    /**
     * The modules A1111 applies only all together with {@code name}: bigG's attention is one torch
     * {@code MultiheadAttention}, patched only when the LoRA has q, k, v and out for it; empty for other modules.
     */
    public static List<String> appliedTogether(String name) {
        Matcher m = BIG_G_ATTENTION.matcher(name);
        if (!m.matches()) {
            return List.of();
        }
        String layer = SDXL_BIG_G_PREFIX + HF_LAYER + m.group(1) + "_self_attn_";
        return Stream.of("q", "k", "v", "out").map(p -> layer + p + "_proj").toList();
    }

    /** Whether the module belongs to a text encoder (the {@code te} multiplier) rather than the UNet. */
    public static boolean isTextEncoder(String name) {
        return name.startsWith(TEXT_PREFIX) || name.startsWith(SDXL_CLIP_L_PREFIX) || name.startsWith(SDXL_BIG_G_PREFIX);
    }

    /** The diffusers path of an LDM UNet module path, or null when it has none. */
    static String diffusersUNetPath(String ldm) {
        for (Map.Entry<String, String> e : TOP_LEVEL.entrySet()) {
            if (ldm.equals(e.getKey()) || ldm.startsWith(e.getKey() + ".")) {
                return e.getValue() + ldm.substring(e.getKey().length());
            }
        }
        if (ldm.startsWith("middle_block.")) {
            String[] parts = ldm.split("\\.", 3);
            int inner = index(parts[1]);
            String rest = parts.length == 3 ? parts[2] : "";
            return inner < 0 ? null
                    : inner == 1 ? join("mid_block.attentions.0", rest) : resnet("mid_block.resnets." + inner / 2, rest);
        }
        String[] parts = ldm.split("\\.", 4);
        if (parts.length < 3 || index(parts[1]) < 0 || index(parts[2]) < 0) {
            return null;
        }
        int block = index(parts[1]);
        int inner = index(parts[2]);
        String rest = parts.length == 4 ? parts[3] : "";
        return switch (parts[0]) {
            case "input_blocks" -> block == 0 ? null
                    : downBlock((block - 1) / DOWN_SLOTS, (block - 1) % DOWN_SLOTS, inner, rest);
            case "output_blocks" -> upBlock(block / UP_SLOTS, block % UP_SLOTS, inner, rest);
            default -> null;
        };
    }

    private static int index(String part) {
        return part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? Integer.parseInt(part) : -1;
    }

    private static String downBlock(int level, int slot, int inner, String rest) {
        String base = "down_blocks." + level;
        if (slot == DOWN_SLOTS - 1) {
            return rest.equals("op") ? base + ".downsamplers.0.conv" : null;
        }
        return inner == 0 ? resnet(base + ".resnets." + slot, rest) : join(base + ".attentions." + slot, rest);
    }

    /** Output block parts: 0 resnet, 1 attention or (levels without attention) the upsampler, 2 the upsampler. */
    private static String upBlock(int level, int slot, int inner, String rest) {
        String base = "up_blocks." + level;
        if (inner == 0) {
            return resnet(base + ".resnets." + slot, rest);
        }
        if (rest.startsWith("conv")) {
            return base + ".upsamplers.0." + rest;
        }
        return join(base + ".attentions." + slot, rest);
    }

    private static String resnet(String base, String rest) {
        for (Map.Entry<String, String> e : RESNET.entrySet()) {
            if (rest.equals(e.getKey()) || rest.startsWith(e.getKey() + ".")) {
                return base + "." + e.getValue() + rest.substring(e.getKey().length());
            }
        }
        return null;
    }

    private static String join(String base, String rest) {
        return rest.isEmpty() ? base : base + "." + rest;
    }

    private static String underscored(String path) {
        return path.replace('.', '_');
    }
}

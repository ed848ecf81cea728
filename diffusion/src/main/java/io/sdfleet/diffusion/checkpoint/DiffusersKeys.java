package io.sdfleet.diffusion.checkpoint;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames diffusers' UNet, VAE and CLIP text-encoder keys to the original LDM layout
 * ({@code model.diffusion_model.*}, {@code first_stage_model.*}, {@code cond_stage_model.transformer.*}), the
 * correspondence diffusers documents in {@code scripts/convert_diffusers_to_original_stable_diffusion.py}.
 *
 * <p>LDM numbers its UNet blocks in one flat sequence: {@code input_blocks.0} is conv_in, then each down level
 * holds {@code layers} resnets (each optionally followed by a transformer) and, except the last level, one
 * downsampler; {@code output_blocks} hold {@code layers + 1} resnets per up level, the last one carrying the
 * upsampler after its transformer when it has one. The counts are read off the keys present, not assumed.
 * The VAE decoder numbers its up levels in the opposite order to diffusers. SDXL's {@code add_embedding} is sgm's
 * {@code label_emb.0}.
 */
final class DiffusersKeys {

    public static final String UNET_PREFIX = "model.diffusion_model.";
    public static final String VAE_PREFIX = "first_stage_model.";
    public static final String TEXT_ENCODER_PREFIX = "cond_stage_model.transformer.";

    private static final Pattern DOWN = Pattern.compile("down_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern DOWNSAMPLER = Pattern.compile("down_blocks\\.(\\d+)\\.downsamplers\\.0\\.conv\\.(.+)");
    private static final Pattern UP = Pattern.compile("up_blocks\\.(\\d+)\\.(resnets|attentions)\\.(\\d+)\\.(.+)");
    private static final Pattern UPSAMPLER = Pattern.compile("up_blocks\\.(\\d+)\\.upsamplers\\.0\\.(.+)");
    private static final Pattern MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)\\.(.+)");

    private static final Pattern VAE_DOWN = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_DOWNSAMPLER = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.downsamplers\\.0\\.(.+)");
    private static final Pattern VAE_UP = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_UPSAMPLER = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.upsamplers\\.0\\.(.+)");
    private static final Pattern VAE_MID_RESNET = Pattern.compile("(encoder|decoder)\\.mid_block\\.resnets\\.(\\d+)\\.(.+)");
    private static final Pattern VAE_MID_ATTENTION = Pattern.compile("(encoder|decoder)\\.mid_block\\.attentions\\.0\\.(.+)");

    /** diffusers' ResnetBlock2D parameter names → LDM ResBlock's (sequential layers numbered as in LDM). */
    private static final Map<String, String> UNET_RESNET = Map.of(
            "norm1.", "in_layers.0.", "conv1.", "in_layers.2.",
            "norm2.", "out_layers.0.", "conv2.", "out_layers.3.",
            "time_emb_proj.", "emb_layers.1.", "conv_shortcut.", "skip_connection.");

    /** The VAE mid-block attention: new (to_q...) and old (query...) diffusers names → LDM AttnBlock's. */
    private static final Map<String, String> VAE_ATTENTION = Map.of(
            "group_norm.", "norm.", "to_q.", "q.", "to_k.", "k.", "to_v.", "v.", "to_out.0.", "proj_out.",
            "query.", "q.", "key.", "k.", "value.", "v.", "proj_attn.", "proj_out.");

    private DiffusersKeys() {
    }

    /** Numbers the UNet layout needs, read from the diffusers keys present. */
    public record UnetShape(int layersPerBlock) {

        public static UnetShape of(Collection<String> diffusersKeys) {
            TreeSet<Integer> resnets = new TreeSet<>();
            for (String key : diffusersKeys) {
                Matcher m = DOWN.matcher(key);
                if (m.matches() && m.group(1).equals("0") && m.group(2).equals("resnets")) {
                    resnets.add(Integer.parseInt(m.group(3)));
                }
            }
            if (resnets.isEmpty()) {
                throw new CheckpointException("diffusers UNet has no down_blocks.0.resnets: not an SD UNet");
            }
            return new UnetShape(resnets.last() + 1);
        }
    }

    /** The LDM name of a diffusers UNet key (without the model.diffusion_model. prefix), if it has one. */
    public static Optional<String> unetToLdm(String key, UnetShape shape, Collection<String> allKeys) {
        int layers = shape.layersPerBlock();
        Matcher m;
        if ((m = match(DOWN, key)) != null) {
            int level = Integer.parseInt(m.group(1));
            int index = 1 + level * (layers + 1) + Integer.parseInt(m.group(3));
            return Optional.of(block("input_blocks", index, m.group(2), m.group(4)));
        }
        if ((m = match(DOWNSAMPLER, key)) != null) {
            int index = (Integer.parseInt(m.group(1)) + 1) * (layers + 1);
            return Optional.of("input_blocks." + index + ".0.op." + m.group(2));
        }
        if ((m = match(UP, key)) != null) {
            int index = Integer.parseInt(m.group(1)) * (layers + 1) + Integer.parseInt(m.group(3));
            return Optional.of(block("output_blocks", index, m.group(2), m.group(4)));
        }
        if ((m = match(UPSAMPLER, key)) != null) {
            int level = Integer.parseInt(m.group(1));
            int index = level * (layers + 1) + layers;
            String prefix = "up_blocks." + level + ".attentions.";
            boolean hasAttention = allKeys.stream().anyMatch(k -> k.startsWith(prefix));
            return Optional.of("output_blocks." + index + "." + (hasAttention ? 2 : 1) + "." + m.group(2));
        }
        if ((m = match(MID, key)) != null) {
            int j = Integer.parseInt(m.group(2));
            return m.group(1).equals("attentions")
                    ? Optional.of("middle_block." + (2 * j + 1) + "." + m.group(3))
                    : Optional.of("middle_block." + (2 * j) + "." + renamePrefix(m.group(3), UNET_RESNET));
        }
        for (String[] pair : new String[][] {
                {"time_embedding.linear_1.", "time_embed.0."}, {"time_embedding.linear_2.", "time_embed.2."},
                {"conv_in.", "input_blocks.0.0."}, {"conv_norm_out.", "out.0."}, {"conv_out.", "out.2."},
                {"add_embedding.linear_1.", "label_emb.0.0."}, {"add_embedding.linear_2.", "label_emb.0.2."}}) {
            if (key.startsWith(pair[0])) {
                return Optional.of(pair[1] + key.substring(pair[0].length()));
            }
        }
        return Optional.empty();
    }

    private static String block(String blocks, int index, String kind, String rest) {
        return kind.equals("resnets")
                ? blocks + "." + index + ".0." + renamePrefix(rest, UNET_RESNET)
                : blocks + "." + index + ".1." + rest; // transformer internals are named alike in both
    }

    /** A diffusers VAE key renamed to LDM, when it has a counterpart; {@code levels} is the number of up blocks. */
    public static Optional<String> vaeToLdm(String key, int levels) {
        Matcher m;
        if ((m = match(VAE_DOWN, key)) != null) {
            return Optional.of("encoder.down." + m.group(1) + ".block." + m.group(2) + "." + vaeResnet(m.group(3)));
        }
        if ((m = match(VAE_DOWNSAMPLER, key)) != null) {
            return Optional.of("encoder.down." + m.group(1) + ".downsample." + m.group(2));
        }
        if ((m = match(VAE_UP, key)) != null) {
            int level = levels - 1 - Integer.parseInt(m.group(1));
            return Optional.of("decoder.up." + level + ".block." + m.group(2) + "." + vaeResnet(m.group(3)));
        }
        if ((m = match(VAE_UPSAMPLER, key)) != null) {
            int level = levels - 1 - Integer.parseInt(m.group(1));
            return Optional.of("decoder.up." + level + ".upsample." + m.group(2));
        }
        if ((m = match(VAE_MID_RESNET, key)) != null) {
            int j = Integer.parseInt(m.group(2));
            return Optional.of(m.group(1) + ".mid.block_" + (j + 1) + "." + vaeResnet(m.group(3)));
        }
        if ((m = match(VAE_MID_ATTENTION, key)) != null) {
            String renamed = renamePrefix(m.group(2), VAE_ATTENTION);
            return renamed.equals(m.group(2)) ? Optional.empty() : Optional.of(m.group(1) + ".mid.attn_1." + renamed);
        }
        if (key.matches("(encoder|decoder)\\.conv_norm_out\\..+")) {
            return Optional.of(key.replace(".conv_norm_out.", ".norm_out."));
        }
        if (key.matches("(encoder|decoder)\\.conv_(in|out)\\..+|(post_)?quant_conv\\..+")) {
            return Optional.of(key);
        }
        return Optional.empty();
    }

    /** The number of decoder up levels in a diffusers VAE. */
    public static int vaeLevels(Collection<String> diffusersKeys) {
        TreeSet<Integer> levels = new TreeSet<>();
        for (String key : diffusersKeys) {
            Matcher m = VAE_UP.matcher(key);
            if (m.matches()) {
                levels.add(Integer.parseInt(m.group(1)));
            }
        }
        if (levels.isEmpty()) {
            throw new CheckpointException("diffusers VAE has no decoder.up_blocks: not an AutoencoderKL");
        }
        return levels.last() + 1;
    }

    /** HF CLIPTextModel keys ({@code text_model.*}) sit under cond_stage_model.transformer. in LDM. */
    public static Optional<String> textEncoderToLdm(String key) {
        return key.startsWith("text_model.") ? Optional.of(key) : Optional.empty();
    }

    /** Renames every key of a diffusers UNet; keys without an LDM counterpart map to null. */
    public static Map<String, String> unetRenames(Collection<String> keys) {
        UnetShape shape = UnetShape.of(keys);
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : keys) {
            out.put(key, unetToLdm(key, shape, keys).map(k -> UNET_PREFIX + k).orElse(null));
        }
        return out;
    }

    public static Map<String, String> vaeRenames(Collection<String> keys) {
        int levels = vaeLevels(keys);
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : keys) {
            out.put(key, vaeToLdm(key, levels).map(k -> VAE_PREFIX + k).orElse(null));
        }
        return out;
    }

    public static Map<String, String> textEncoderRenames(Collection<String> keys) {
        return textEncoderRenames(keys, TEXT_ENCODER_PREFIX);
    }

    /** @param prefix where the checkpoint keeps the HF CLIP model (SD 1.x's, or SDXL's conditioner embedder 0) */
    public static Map<String, String> textEncoderRenames(Collection<String> keys, String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : keys) {
            out.put(key, textEncoderToLdm(key).map(k -> prefix + k).orElse(null));
        }
        return out;
    }

    private static String vaeResnet(String rest) {
        return rest.startsWith("conv_shortcut.") ? "nin_shortcut." + rest.substring("conv_shortcut.".length()) : rest;
    }

    private static String renamePrefix(String rest, Map<String, String> renames) {
        for (Map.Entry<String, String> e : renames.entrySet()) {
            if (rest.startsWith(e.getKey())) {
                return e.getValue() + rest.substring(e.getKey().length());
            }
        }
        return rest;
    }

    private static Matcher match(Pattern pattern, String key) {
        Matcher m = pattern.matcher(key);
        return m.matches() ? m : null;
    }
}

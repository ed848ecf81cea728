package io.sdfleet.diffusion.nn;

import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.nn.SyntheticTensorSource.TensorSpec;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensor names and shapes of an SD 1.x-family LDM single-file checkpoint (UNet, VAE, CLIP text model),
 * generated from the architecture's hyper-parameters as LDM and transformers instantiate them. With
 * {@link SyntheticTensorSource} this builds any such model without a file: {@code ./sd bench --arch sd15}.
 * DDPM schedule buffers are not included: samplers compute the schedule.
 */
public final class Sd1Layout {

    /** The hyper-parameters of v1-inference.yaml and the CLIP ViT-L/14 text config. */
    public record Config(int unetChannels, List<Integer> unetMult, int unetResBlocks, List<Integer> attentionLevels,
                         int transformerDepth, int contextDim, int latentChannels,
                         int vaeChannels, List<Integer> vaeMult, int vaeResBlocks,
                         int vocab, int positions, int textWidth, int textLayers, int textFfn) {
    }

    /** Stable Diffusion 1.5 (and 1.4): 860M UNet, 83M VAE, 123M CLIP ViT-L/14 text model. */
    public static final Config SD15 = new Config(320, List.of(1, 2, 4, 4), 2, List.of(0, 1, 2), 1, 768, 4,
            128, List.of(1, 2, 4, 4), 2, 49408, 77, 768, 12, 3072);

    private Sd1Layout() {
    }

    /** Every key of the checkpoint with its shape (position ids as int64). */
    public static Map<String, TensorSpec> tensors(Config c) {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        unet(out, c);
        vae(out, c);
        clip(out, c);
        return out;
    }

    static void put(Map<String, TensorSpec> out, String key, long... shape) {
        out.put(key, TensorSpec.of(shape));
    }

    static void affine(Map<String, TensorSpec> out, String prefix, long width) {
        put(out, prefix + ".weight", width);
        put(out, prefix + ".bias", width);
    }

    static void linear(Map<String, TensorSpec> out, String prefix, long in, long outWidth, boolean bias) {
        put(out, prefix + ".weight", outWidth, in);
        if (bias) {
            put(out, prefix + ".bias", outWidth);
        }
    }

    static void conv(Map<String, TensorSpec> out, String prefix, long in, long outWidth, int kernel) {
        put(out, prefix + ".weight", outWidth, in, kernel, kernel);
        put(out, prefix + ".bias", outWidth);
    }

    private static void unet(Map<String, TensorSpec> out, Config c) {
        String p = "model.diffusion_model.";
        long ch = c.unetChannels();
        long emb = 4 * ch;
        linear(out, p + "time_embed.0", ch, emb, true);
        linear(out, p + "time_embed.2", emb, emb, true);
        conv(out, p + "input_blocks.0.0", c.latentChannels(), ch, 3);
        Deque<Long> skips = new ArrayDeque<>();
        skips.push(ch);
        int block = 1;
        int levels = c.unetMult().size();
        for (int level = 0; level < levels; level++) {
            long width = c.unetMult().get(level) * c.unetChannels();
            for (int r = 0; r < c.unetResBlocks(); r++, block++) {
                resBlock(out, p + "input_blocks." + block + ".0", ch, width, emb);
                ch = width;
                if (c.attentionLevels().contains(level)) {
                    transformer(out, p + "input_blocks." + block + ".1", ch, c);
                }
                skips.push(ch);
            }
            if (level != levels - 1) {
                conv(out, p + "input_blocks." + block + ".0.op", ch, ch, 3);
                skips.push(ch);
                block++;
            }
        }
        resBlock(out, p + "middle_block.0", ch, ch, emb);
        transformer(out, p + "middle_block.1", ch, c);
        resBlock(out, p + "middle_block.2", ch, ch, emb);
        block = 0;
        for (int level = levels - 1; level >= 0; level--) {
            long width = c.unetMult().get(level) * c.unetChannels();
            for (int r = 0; r <= c.unetResBlocks(); r++, block++) {
                resBlock(out, p + "output_blocks." + block + ".0", ch + skips.pop(), width, emb);
                ch = width;
                boolean attention = c.attentionLevels().contains(level);
                if (attention) {
                    transformer(out, p + "output_blocks." + block + ".1", ch, c);
                }
                if (level != 0 && r == c.unetResBlocks()) {
                    conv(out, p + "output_blocks." + block + "." + (attention ? 2 : 1) + ".conv", ch, ch, 3);
                }
            }
        }
        affine(out, p + "out.0", ch);
        conv(out, p + "out.2", ch, c.latentChannels(), 3);
    }

    static void resBlock(Map<String, TensorSpec> out, String p, long in, long width, long emb) {
        affine(out, p + ".in_layers.0", in);
        conv(out, p + ".in_layers.2", in, width, 3);
        linear(out, p + ".emb_layers.1", emb, width, true);
        affine(out, p + ".out_layers.0", width);
        conv(out, p + ".out_layers.3", width, width, 3);
        if (in != width) {
            conv(out, p + ".skip_connection", in, width, 1);
        }
    }

    private static void transformer(Map<String, TensorSpec> out, String p, long ch, Config c) {
        affine(out, p + ".norm", ch);
        conv(out, p + ".proj_in", ch, ch, 1);
        for (int d = 0; d < c.transformerDepth(); d++) {
            String b = p + ".transformer_blocks." + d;
            attention(out, b + ".attn1", ch, ch);
            attention(out, b + ".attn2", ch, c.contextDim());
            linear(out, b + ".ff.net.0.proj", ch, 8 * ch, true);
            linear(out, b + ".ff.net.2", 4 * ch, ch, true);
            affine(out, b + ".norm1", ch);
            affine(out, b + ".norm2", ch);
            affine(out, b + ".norm3", ch);
        }
        conv(out, p + ".proj_out", ch, ch, 1);
    }

    static void attention(Map<String, TensorSpec> out, String p, long ch, long context) {
        linear(out, p + ".to_q", ch, ch, false);
        linear(out, p + ".to_k", context, ch, false);
        linear(out, p + ".to_v", context, ch, false);
        linear(out, p + ".to_out.0", ch, ch, true);
    }

    private static void vae(Map<String, TensorSpec> out, Config c) {
        vae(out, c.vaeChannels(), c.vaeMult(), c.vaeResBlocks(), c.latentChannels());
    }

    /** LDM's AutoencoderKL under first_stage_model. (no attention outside the mid blocks), as SD and SDXL use it. */
    static void vae(Map<String, TensorSpec> out, int channels, List<Integer> mult, int resBlocks, long z) {
        String e = "first_stage_model.encoder.";
        String d = "first_stage_model.decoder.";
        int levels = mult.size();
        conv(out, e + "conv_in", 3, channels, 3);
        long in = channels;
        for (int level = 0; level < levels; level++) {
            long width = (long) channels * mult.get(level);
            for (int j = 0; j < resBlocks; j++) {
                resnet(out, e + "down." + level + ".block." + j, in, width);
                in = width;
            }
            if (level != levels - 1) {
                conv(out, e + "down." + level + ".downsample.conv", in, in, 3);
            }
        }
        vaeMid(out, e + "mid", in);
        affine(out, e + "norm_out", in);
        conv(out, e + "conv_out", in, 2 * z, 3);

        in = (long) channels * mult.get(levels - 1);
        conv(out, d + "conv_in", z, in, 3);
        vaeMid(out, d + "mid", in);
        for (int level = levels - 1; level >= 0; level--) {
            long width = (long) channels * mult.get(level);
            for (int j = 0; j <= resBlocks; j++) {
                resnet(out, d + "up." + level + ".block." + j, in, width);
                in = width;
            }
            if (level != 0) {
                conv(out, d + "up." + level + ".upsample.conv", in, in, 3);
            }
        }
        affine(out, d + "norm_out", in);
        conv(out, d + "conv_out", in, 3, 3);
        conv(out, "first_stage_model.quant_conv", 2 * z, 2 * z, 1);
        conv(out, "first_stage_model.post_quant_conv", z, z, 1);
    }

    private static void resnet(Map<String, TensorSpec> out, String p, long in, long width) {
        affine(out, p + ".norm1", in);
        conv(out, p + ".conv1", in, width, 3);
        affine(out, p + ".norm2", width);
        conv(out, p + ".conv2", width, width, 3);
        if (in != width) {
            conv(out, p + ".nin_shortcut", in, width, 1);
        }
    }

    private static void vaeMid(Map<String, TensorSpec> out, String p, long ch) {
        resnet(out, p + ".block_1", ch, ch);
        affine(out, p + ".attn_1.norm", ch);
        for (String proj : new String[] {"q", "k", "v", "proj_out"}) {
            conv(out, p + ".attn_1." + proj, ch, ch, 1);
        }
        resnet(out, p + ".block_2", ch, ch);
    }

    private static void clip(Map<String, TensorSpec> out, Config c) {
        clip(out, "cond_stage_model.transformer.text_model.", c.vocab(), c.positions(), c.textWidth(), c.textLayers(),
                c.textFfn());
    }

    /** A Hugging Face CLIPTextModel (with its position_ids buffer) under {@code p}. */
    static void clip(Map<String, TensorSpec> out, String p, long vocab, long positions, long w, int layers, long ffn) {
        put(out, p + "embeddings.token_embedding.weight", vocab, w);
        put(out, p + "embeddings.position_embedding.weight", positions, w);
        out.put(p + "embeddings.position_ids", new TensorSpec(new long[] {1, positions}, StoredType.I64));
        for (int i = 0; i < layers; i++) {
            String l = p + "encoder.layers." + i;
            for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                linear(out, l + ".self_attn." + proj, w, w, true);
            }
            affine(out, l + ".layer_norm1", w);
            linear(out, l + ".mlp.fc1", w, ffn, true);
            linear(out, l + ".mlp.fc2", ffn, w, true);
            affine(out, l + ".layer_norm2", w);
        }
        affine(out, p + "final_layer_norm", w);
    }
}

package io.sdfleet.diffusion.nn;

import io.sdfleet.diffusion.nn.SyntheticTensorSource.TensorSpec;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.sdfleet.diffusion.nn.Sd1Layout.affine;
import static io.sdfleet.diffusion.nn.Sd1Layout.attention;
import static io.sdfleet.diffusion.nn.Sd1Layout.conv;
import static io.sdfleet.diffusion.nn.Sd1Layout.linear;
import static io.sdfleet.diffusion.nn.Sd1Layout.put;
import static io.sdfleet.diffusion.nn.Sd1Layout.resBlock;

/**
 * The tensor names and shapes of an SDXL single-file checkpoint (sgm's DiffusionEngine: UNet with label
 * embedding, VAE, the conditioner's CLIP-L and OpenCLIP bigG text towers, {@code denoiser.sigmas}), generated from
 * the hyper-parameters of {@code sd_xl_base.yaml} / {@code sd_xl_refiner.yaml}. With {@link SyntheticTensorSource}
 * it builds the full-size architecture without a file (benchmarks).
 */
public final class SdxlLayout {

    /**
     * @param depths        transformer depth per UNet level, 0 where the level has no attention
     * @param middleDepth   the middle block's transformer depth
     * @param clipLWidth    CLIP-L's width, 0 for none (the refiner)
     * @param bigGEmbedder  which conditioner embedder holds bigG (1 in the base, 0 in the refiner)
     */
    public record Config(int unetChannels, List<Integer> unetMult, int unetResBlocks, List<Integer> depths,
                         int middleDepth, int contextDim, int admInChannels, int latentChannels,
                         int vaeChannels, List<Integer> vaeMult, int vaeResBlocks,
                         int vocab, int positions, int clipLWidth, int clipLLayers, int clipLFfn,
                         int bigGEmbedder, int bigGWidth, int bigGLayers, int bigGFfn, int projectionDim) {
    }

    /** SDXL base 1.0: 2.6 B UNet (context 768 + 1280, y 2816), the SDXL VAE, CLIP ViT-L and ViT-bigG-14 text. */
    public static final Config BASE = new Config(320, List.of(1, 2, 4), 2, List.of(0, 2, 10), 10, 2048, 2816, 4,
            128, List.of(1, 2, 4, 4), 2, 49408, 77, 768, 12, 3072, 1, 1280, 32, 5120, 1280);
    /** SDXL refiner 1.0: 4 levels of 384, depth 4 at levels 1 and 2, context 1280 (bigG alone), y 2560. */
    public static final Config REFINER = new Config(384, List.of(1, 2, 4, 4), 2, List.of(0, 4, 4, 0), 4, 1280, 2560,
            4, 128, List.of(1, 2, 4, 4), 2, 49408, 77, 0, 0, 0, 0, 1280, 32, 5120, 1280);

    private SdxlLayout() {
    }

    /** Every key of the checkpoint with its shape (position ids as int64). */
    public static Map<String, TensorSpec> tensors(Config c) {
        Map<String, TensorSpec> out = new LinkedHashMap<>();
        unet(out, c);
        Sd1Layout.vae(out, c.vaeChannels(), c.vaeMult(), c.vaeResBlocks(), c.latentChannels());
        if (c.clipLWidth() > 0) {
            Sd1Layout.clip(out, "conditioner.embedders.0.transformer.text_model.", c.vocab(), c.positions(),
                    c.clipLWidth(), c.clipLLayers(), c.clipLFfn());
        }
        bigG(out, "conditioner.embedders." + c.bigGEmbedder() + ".model.", c);
        put(out, "denoiser.sigmas", 1000);
        return out;
    }

    private static void unet(Map<String, TensorSpec> out, Config c) {
        String p = "model.diffusion_model.";
        long ch = c.unetChannels();
        long emb = 4 * ch;
        linear(out, p + "time_embed.0", ch, emb, true);
        linear(out, p + "time_embed.2", emb, emb, true);
        linear(out, p + "label_emb.0.0", c.admInChannels(), emb, true);
        linear(out, p + "label_emb.0.2", emb, emb, true);
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
                if (c.depths().get(level) > 0) {
                    transformer(out, p + "input_blocks." + block + ".1", ch, c.depths().get(level), c.contextDim());
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
        transformer(out, p + "middle_block.1", ch, c.middleDepth(), c.contextDim());
        resBlock(out, p + "middle_block.2", ch, ch, emb);
        block = 0;
        for (int level = levels - 1; level >= 0; level--) {
            long width = c.unetMult().get(level) * c.unetChannels();
            for (int r = 0; r <= c.unetResBlocks(); r++, block++) {
                resBlock(out, p + "output_blocks." + block + ".0", ch + skips.pop(), width, emb);
                ch = width;
                boolean attention = c.depths().get(level) > 0;
                if (attention) {
                    transformer(out, p + "output_blocks." + block + ".1", ch, c.depths().get(level), c.contextDim());
                }
                if (level != 0 && r == c.unetResBlocks()) {
                    conv(out, p + "output_blocks." + block + "." + (attention ? 2 : 1) + ".conv", ch, ch, 3);
                }
            }
        }
        affine(out, p + "out.0", ch);
        conv(out, p + "out.2", ch, c.latentChannels(), 3);
    }

    /** sgm's SpatialTransformer with linear projections (use_linear_in_transformer). */
    private static void transformer(Map<String, TensorSpec> out, String p, long ch, int depth, long context) {
        affine(out, p + ".norm", ch);
        linear(out, p + ".proj_in", ch, ch, true);
        for (int d = 0; d < depth; d++) {
            String b = p + ".transformer_blocks." + d;
            attention(out, b + ".attn1", ch, ch);
            attention(out, b + ".attn2", ch, context);
            linear(out, b + ".ff.net.0.proj", ch, 8 * ch, true);
            linear(out, b + ".ff.net.2", 4 * ch, ch, true);
            affine(out, b + ".norm1", ch);
            affine(out, b + ".norm2", ch);
            affine(out, b + ".norm3", ch);
        }
        linear(out, p + ".proj_out", ch, ch, true);
    }

    /** open_clip's text tower as FrozenOpenCLIPEmbedder2 keeps it (the visual tower deleted). */
    private static void bigG(Map<String, TensorSpec> out, String p, Config c) {
        long w = c.bigGWidth();
        put(out, p + "token_embedding.weight", c.vocab(), w);
        put(out, p + "positional_embedding", c.positions(), w);
        for (int i = 0; i < c.bigGLayers(); i++) {
            String b = p + "transformer.resblocks." + i;
            affine(out, b + ".ln_1", w);
            put(out, b + ".attn.in_proj_weight", 3 * w, w);
            put(out, b + ".attn.in_proj_bias", 3 * w);
            linear(out, b + ".attn.out_proj", w, w, true);
            affine(out, b + ".ln_2", w);
            linear(out, b + ".mlp.c_fc", w, c.bigGFfn(), true);
            linear(out, b + ".mlp.c_proj", c.bigGFfn(), w, true);
        }
        affine(out, p + "ln_final", w);
        put(out, p + "text_projection", w, c.projectionDim());
        put(out, p + "logit_scale");
    }
}

package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.UnwrappedWeights;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.noise.NoiseStream;
import io.sdfleet.diffusion.restore.FaceRestorationNetwork;
import io.sdfleet.request.RngSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * GFPGAN v1.4 ({@code GFPGANv1Clean} as spandrel builds it for A1111: out_size 512, channel_multiplier 2,
 * input_is_latent, different_w, sft_half), called as A1111 does: {@code net(x, return_rgb=False)[0]} with
 * randomize_noise left on.
 *
 * <p>A U-Net encoder brings the face from 512² to 4² (a 1×1 conv, seven halving {@link ResampleBlock}s, a 3×3
 * conv), a linear layer turns the 4×4 features into one 512-wide latent per decoder layer, and the U-Net's upward
 * path (seven doubling blocks, each fed the matching downward features) yields per resolution an SFT scale and
 * shift; the {@link StyleDecoder} renders the face from the latents, modulated by them.
 *
 * <p>randomize_noise draws each style conv's noise map from the global torch generator in forward order. sdfleet
 * draws the same sequence from a torch CPU generator seeded with the options' noise seed, so a restore repeats.
 */
public final class Gfpgan implements FaceRestorationNetwork {

    private static final int LATENT_WIDTH = 512;

    private final Conv2d bodyFirst;
    private final List<ResampleBlock> down = new ArrayList<>();
    private final Conv2d finalConv;
    private final Linear finalLinear;
    private final List<ResampleBlock> up = new ArrayList<>();
    private final List<Conv2d[]> conditionScale = new ArrayList<>();
    private final List<Conv2d[]> conditionShift = new ArrayList<>();
    private final StyleDecoder decoder;

    private Gfpgan(Weights w) {
        bodyFirst = Conv2d.load(w.at("conv_body_first"), 1, 0);
        for (int i = 0; i < StyleDecoder.LEVELS; i++) {
            down.add(new ResampleBlock(w.at("conv_body_down." + i), false));
        }
        finalConv = Conv2d.load(w.at("final_conv"), 1, 1);
        finalLinear = Linear.load(w.at("final_linear"));
        for (int i = 0; i < StyleDecoder.LEVELS; i++) {
            up.add(new ResampleBlock(w.at("conv_body_up." + i), true));
            conditionScale.add(condition(w.at("condition_scale." + i)));
            conditionShift.add(condition(w.at("condition_shift." + i)));
        }
        decoder = new StyleDecoder(w.at("stylegan_decoder"));
        acknowledgeUnused(w);
    }

    /** GFPGAN from a checkpoint ({@code params_ema} wrapper or not), its weights in fp32 in {@code manager}. */
    public static Gfpgan load(TensorSource file, NDManager manager) {
        Weights w = Weights.of(UnwrappedWeights.of(file), manager, DataType.FLOAT32);
        Gfpgan net = new Gfpgan(w);
        if (!w.unconsumed().isEmpty()) {
            throw new CheckpointException("GFPGAN file has keys this network does not use: " + w.unconsumed());
        }
        return net;
    }

    /** GFPGAN from a .pth or .safetensors file (e.g. GFPGANv1.4.pth). */
    public static Gfpgan open(Path file, NDManager manager) {
        try (TensorSource source = CheckpointFiles.open(file)) {
            return load(source, manager);
        }
    }

    @Override
    public String displayName() {
        return "GFPGAN";
    }

    @Override
    public NDArray restore(NDArray alignedFace, RestoreOptions options) {
        try (NDManager drawn = alignedFace.getManager().newSubManager()) {
            return forward(alignedFace, noise(options.noiseSeed(), alignedFace.getShape().get(0), drawn));
        }
    }

    /**
     * The 15 noise maps of a restore seeded {@code seed}: {@code torch.manual_seed(seed)}, then one
     * {@code torch.randn} per style conv in forward order, at its output resolution.
     */
    public static List<NDArray> noise(long seed, long batch, NDManager manager) {
        NoiseStream stream = NoiseStream.of(RngSource.CPU, seed);
        List<NDArray> maps = new ArrayList<>();
        for (Shape shape : noiseShapes(batch)) {
            maps.add(stream.next(manager, shape));
        }
        return maps;
    }

    /** The noise shapes in the order GFPGAN draws them: [b, 1, 4, 4], then two each at 8² … 512². */
    public static List<Shape> noiseShapes(long batch) {
        return StyleDecoder.noiseShapes(batch);
    }

    /**
     * {@code GFPGANv1Clean(x, return_rgb=False)[0]} with the given noise maps ({@link #noiseShapes}).
     *
     * @param face [b, 3, 512, 512] RGB in [−1, 1]
     * @return the restored face, [b, 3, 512, 512], unclamped, in the input's manager
     */
    public NDArray forward(NDArray face, List<NDArray> noise) {
        if (noise.size() != StyleDecoder.NOISE_LAYERS) {
            throw new IllegalArgumentException("GFPGAN takes " + StyleDecoder.NOISE_LAYERS + " noise maps, not "
                    + noise.size());
        }
        return Scope.run(() -> {
            long batch = face.getShape().get(0);
            NDArray feat = ResampleBlock.leakyRelu(bodyFirst.forward(face, PaddingMode.ZEROS));
            List<NDArray> skips = new ArrayList<>();
            for (ResampleBlock block : down) {
                feat = block.forward(feat);
                skips.addFirst(feat);
            }
            feat = ResampleBlock.leakyRelu(finalConv.forward(feat, PaddingMode.ZEROS));
            NDArray latents = finalLinear.forward(feat.reshape(batch, -1))
                    .reshape(batch, StyleDecoder.LATENTS, LATENT_WIDTH);
            List<NDArray> conditions = new ArrayList<>();
            for (int i = 0; i < up.size(); i++) {
                feat = up.get(i).forward(feat.add(skips.get(i)));
                conditions.add(sft(conditionScale.get(i), feat));
                conditions.add(sft(conditionShift.get(i), feat));
            }
            return decoder.forward(latents, conditions, noise);
        }, face);
    }

    /** conv → LeakyReLU → conv: one SFT scale or shift map from the U-Net features. */
    private static NDArray sft(Conv2d[] convs, NDArray feat) {
        return Scope.run(() -> convs[1].forward(
                ResampleBlock.leakyRelu(convs[0].forward(feat, PaddingMode.ZEROS)), PaddingMode.ZEROS), feat);
    }

    private static Conv2d[] condition(Weights w) {
        return new Conv2d[] {Conv2d.load(w.at("0"), 1, 1), Conv2d.load(w.at("2"), 1, 1)};
    }

    /**
     * Tensors of the released file that this call path never reads, required as spandrel's strict load requires
     * them: the intermediate RGB heads (return_rgb=False), the style MLP (the latents come from the encoder) and the
     * stored noise buffers (randomize_noise draws fresh noise).
     */
    private static void acknowledgeUnused(Weights w) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < StyleDecoder.LEVELS; i++) {
            keys.add("toRGB." + i + ".weight");
            keys.add("toRGB." + i + ".bias");
        }
        for (int layer = 1; layer <= 15; layer += 2) {
            keys.add("stylegan_decoder.style_mlp." + layer + ".weight");
            keys.add("stylegan_decoder.style_mlp." + layer + ".bias");
        }
        for (int i = 0; i < StyleDecoder.NOISE_LAYERS; i++) {
            keys.add("stylegan_decoder.noises.noise" + i);
        }
        for (String key : keys) {
            if (!w.has(key)) {
                throw new CheckpointException("not a GFPGAN v1.4 file: it lacks " + key);
            }
            w.skip(key);
        }
    }
}

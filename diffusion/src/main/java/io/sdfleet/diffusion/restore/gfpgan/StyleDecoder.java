package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * GFPGAN's StyleGAN2 decoder with spatial feature transforms ({@code StyleGAN2GeneratorCSFT}), as GFPGAN v1.4 runs
 * it: the latents come straight from the encoder (input_is_latent, one per layer: different_w), so the style MLP is
 * not applied. From the learned 4×4 constant, a style conv and a to-RGB, then per doubling up to 512: an upsampling
 * style conv, the SFT on the second half of its channels (x·scale + shift, sft_half), a style conv and a to-RGB
 * added to the doubled image so far.
 */
final class StyleDecoder {

    /** Doublings from 4×4 to 512×512. */
    static final int LEVELS = 7;
    /** Style conv layers, each drawing one noise map: the 4×4 one, then two per level. */
    static final int NOISE_LAYERS = 2 * LEVELS + 1;
    /** Latents the decoder reads: conv and to-RGB of 4×4, then conv, conv, to-RGB per level sharing one index. */
    static final int LATENTS = 2 * LEVELS + 2;

    private final Parameter constant;
    private final StyleConv first;
    private final ToRgb firstRgb;
    private final List<StyleConv> convs = new ArrayList<>();
    private final List<ToRgb> rgbs = new ArrayList<>();

    StyleDecoder(Weights w) {
        constant = w.parameter("constant_input.weight");
        first = new StyleConv(w.at("style_conv1"), false);
        firstRgb = new ToRgb(w.at("to_rgb1"), false);
        for (int level = 0; level < LEVELS; level++) {
            convs.add(new StyleConv(w.at("style_convs." + 2 * level), true));
            convs.add(new StyleConv(w.at("style_convs." + (2 * level + 1)), false));
            rgbs.add(new ToRgb(w.at("to_rgbs." + level), true));
        }
    }

    /** The noise shapes in the order the layers draw them: [b, 1, 4, 4], then two per resolution 8 … 512. */
    static List<Shape> noiseShapes(long batch) {
        List<Shape> shapes = new ArrayList<>();
        shapes.add(StyleConv.noiseShape(batch, 4));
        for (int level = 0; level < LEVELS; level++) {
            long size = 8L << level;
            shapes.add(StyleConv.noiseShape(batch, size));
            shapes.add(StyleConv.noiseShape(batch, size));
        }
        return shapes;
    }

    /**
     * @param latents    [b, {@value #LATENTS}, 512], one style per layer
     * @param conditions per level its SFT scale and shift, in that order (2 · {@value #LEVELS} maps)
     * @param noise      {@value #NOISE_LAYERS} maps shaped as {@link #noiseShapes}
     * @return the image, [b, 3, 512, 512], in the latents' manager
     */
    NDArray forward(NDArray latents, List<NDArray> conditions, List<NDArray> noise) {
        long batch = latents.getShape().get(0);
        return Scope.run(() -> {
            NDArray start = constant.get().repeat(0, batch);
            start.attach(latents.getManager()); // the learned constant itself stays where the weights live
            NDArray out = first.forward(start, latent(latents, 0), noise.get(0));
            NDArray skip = firstRgb.forward(out, latent(latents, 1), null);
            int i = 1;
            for (int level = 0; level < LEVELS; level++) {
                NDArray previousOut = out;
                NDArray previousSkip = skip;
                NDArray scale = conditions.get(i - 1);
                NDArray shift = conditions.get(i);
                NDArray style = latent(latents, i);
                NDArray nextStyle = latent(latents, i + 1);
                StyleConv up = convs.get(2 * level);
                StyleConv same = convs.get(2 * level + 1);
                NDArray n1 = noise.get(i);
                NDArray n2 = noise.get(i + 1);
                out = Scope.run(() -> same.forward(sft(up.forward(previousOut, style, n1), scale, shift), nextStyle, n2),
                        previousOut, style, nextStyle, n1, n2, scale, shift);
                skip = rgbs.get(level).forward(out, latent(latents, i + 2), previousSkip);
                previousOut.close();
                previousSkip.close();
                i += 2;
            }
            return skip;
        }, latents);
    }

    /** SFT on the second half of the channels only (sft_half): x₂·scale + shift, the first half unchanged. */
    private static NDArray sft(NDArray x, NDArray scale, NDArray shift) {
        NDList halves = x.split(2, 1);
        NDArray transformed = halves.get(1).mul(scale).add(shift);
        return NDArrays.concat(new NDList(halves.get(0), transformed), 1);
    }

    private static NDArray latent(NDArray latents, int index) {
        return latents.get(":, {}, :", index);
    }
}

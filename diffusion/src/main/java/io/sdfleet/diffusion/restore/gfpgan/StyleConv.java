package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

/**
 * StyleGAN2's style conv: LeakyReLU(√2 · modconv(x, w) + weight · noise + bias), the noise one [b, 1, h, w] map
 * at the output resolution (the √2 is StyleGAN2's gain for the activation, kept in the clean arch).
 */
final class StyleConv {

    private static final float GAIN = (float) Math.sqrt(2);

    private final ModulatedConv2d conv;
    private final Parameter noiseWeight;
    private final Parameter bias;

    StyleConv(Weights w, boolean upsample) {
        conv = new ModulatedConv2d(w.at("modulated_conv"), true, upsample);
        noiseWeight = w.parameter("weight");
        bias = w.parameter("bias");
    }

    NDArray forward(NDArray x, NDArray style, NDArray noise) {
        return Scope.run(() -> {
            NDArray out = conv.forward(x, style).mul(GAIN);
            out = out.add(noise.mul(noiseWeight.get()));
            return ResampleBlock.leakyRelu(out.add(bias.get()));
        }, x, style, noise);
    }

    /** The noise map of a layer whose output is {@code size}² (GFPGAN draws it as {@code empty(b, 1, h, w).normal_()}). */
    static Shape noiseShape(long batch, long size) {
        return new Shape(batch, 1, size, size);
    }
}

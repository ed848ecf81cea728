package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

/**
 * StyleGAN2's modulated convolution (clean arch, no bias): the style s = modulation(w) scales the input channels of
 * the weight, W'[b, o, i] = W[o, i]·s[b, i]; with demodulation each output filter is then divided by
 * √(Σ W'² + 1e-8). The batch runs as one grouped conv (groups = batch), one filter set per sample. With
 * {@code upsample} the input is first doubled bilinearly.
 */
final class ModulatedConv2d {

    private static final float EPS = 1e-8f;

    private final Linear modulation;
    private final Parameter weight;
    private final boolean demodulate;
    private final boolean upsample;
    private final long outChannels;
    private final long inChannels;
    private final long kernel;

    ModulatedConv2d(Weights w, boolean demodulate, boolean upsample) {
        modulation = Linear.load(w.at("modulation"));
        weight = w.parameter("weight");
        Shape shape = weight.shape(); // [1, out, in, k, k]
        outChannels = shape.get(1);
        inChannels = shape.get(2);
        kernel = shape.get(3);
        this.demodulate = demodulate;
        this.upsample = upsample;
    }

    NDArray forward(NDArray x, NDArray style) {
        return Scope.run(() -> {
            long batch = x.getShape().get(0);
            NDArray scales = modulation.forward(style).reshape(batch, 1, inChannels, 1, 1);
            NDArray w = scales.mul(weight.get()); // [b, out, in, k, k]
            if (demodulate) {
                NDArray demod = w.square().sum(new int[] {2, 3, 4}).add(EPS).pow(-0.5);
                w = w.mul(demod.reshape(batch, outChannels, 1, 1, 1));
            }
            w = w.reshape(batch * outChannels, inChannels, kernel, kernel);
            NDArray in = upsample ? Bilinear.doubled(x) : x;
            long h = in.getShape().get(2);
            long wd = in.getShape().get(3);
            NDArray out = ai.djl.nn.convolutional.Conv2d.conv2d(in.reshape(1, batch * inChannels, h, wd), w, null,
                    new Shape(1, 1), new Shape(kernel / 2, kernel / 2), new Shape(1, 1), (int) batch).singletonOrThrow();
            return out.reshape(batch, outChannels, out.getShape().get(2), out.getShape().get(3));
        }, x, style);
    }
}

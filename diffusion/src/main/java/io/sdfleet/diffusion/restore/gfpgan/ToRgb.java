package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

/**
 * StyleGAN2's to-RGB: a 1×1 modulated conv without demodulation plus a bias, added to the image so far (doubled
 * bilinearly when this level doubles the resolution).
 */
final class ToRgb {

    private final ModulatedConv2d conv;
    private final Parameter bias;
    private final boolean upsample;

    ToRgb(Weights w, boolean upsample) {
        conv = new ModulatedConv2d(w.at("modulated_conv"), false, false);
        bias = w.parameter("bias");
        this.upsample = upsample;
    }

    /** @param skip the image of the previous level, or null at the first */
    NDArray forward(NDArray x, NDArray style, NDArray skip) {
        return Scope.run(() -> {
            NDArray out = conv.forward(x, style).add(bias.get());
            if (skip == null) {
                return out;
            }
            return out.add(upsample ? Bilinear.doubled(skip) : skip);
        }, x, style, skip);
    }
}

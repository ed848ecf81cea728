package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

/**
 * GFPGAN's U-Net residual block ({@code ResBlock}, mode down or up): LeakyReLU(conv1 x) → bilinear ×½ or ×2 →
 * LeakyReLU(conv2 ·), plus a bias-free 1×1 conv of the equally resampled input.
 */
final class ResampleBlock {

    static final float SLOPE = 0.2f;

    private final Conv2d conv1;
    private final Conv2d conv2;
    private final Conv2d skip;
    private final boolean up;

    ResampleBlock(Weights w, boolean up) {
        conv1 = Conv2d.load(w.at("conv1"), 1, 1);
        conv2 = Conv2d.load(w.at("conv2"), 1, 1);
        skip = Conv2d.load(w.at("skip"), 1, 0);
        this.up = up;
    }

    NDArray forward(NDArray x) {
        return Scope.run(() -> {
            NDArray out = leakyRelu(conv1.forward(x, PaddingMode.ZEROS));
            out = leakyRelu(conv2.forward(resample(out), PaddingMode.ZEROS));
            return out.add(skip.forward(resample(x), PaddingMode.ZEROS));
        }, x);
    }

    private NDArray resample(NDArray x) {
        return up ? Bilinear.doubled(x) : Bilinear.halved(x);
    }

    static NDArray leakyRelu(NDArray x) {
        return Activation.leakyRelu(x, SLOPE);
    }
}

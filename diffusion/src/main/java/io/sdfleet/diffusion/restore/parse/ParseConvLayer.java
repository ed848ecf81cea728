package io.sdfleet.diffusion.restore.parse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;

/**
 * ParseNet's {@code ConvLayer}: an optional nearest ×2 upsample, reflection padding of 1, a 3×3 conv (stride 2 when
 * it scales down), then an optional eval-mode BatchNorm and LeakyReLU 0.2 (a normed conv has no bias).
 */
final class ParseConvLayer {

    enum Scale { NONE, DOWN, UP }

    private static final float SLOPE = 0.2f;

    private final Scale scale;
    private final Conv2d conv;
    private final BatchNorm2d norm;
    private final boolean relu;

    /** Reads {@code conv2d.*} and, when {@code normed}, {@code norm.norm.*} under {@code w}. */
    ParseConvLayer(Weights w, Scale scale, boolean normed, boolean relu) {
        this.scale = scale;
        this.conv = Conv2d.load(w.at("conv2d"), scale == Scale.DOWN ? 2 : 1, 0);
        this.norm = normed ? new BatchNorm2d(w.at("norm.norm")) : null;
        this.relu = relu;
    }

    NDArray forward(NDArray x) {
        NDArray out = scale == Scale.UP ? x.repeat(2, 2).repeat(3, 2) : x;
        out = conv.forward(reflectPad1(out), PaddingMode.ZEROS);
        if (norm != null) {
            out = norm.forward(out);
        }
        return relu ? Activation.leakyRelu(out, SLOPE) : out;
    }

    /** torch's ReflectionPad2d(1): row/column 1 and n−2 mirrored outside the edges. */
    static NDArray reflectPad1(NDArray x) {
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray cols = NDArrays.concat(new NDList(x.get(":, :, :, 1:2"), x, x.get(":, :, :, {}:{}", w - 2, w - 1)), 3);
        return NDArrays.concat(new NDList(cols.get(":, :, 1:2, :"), cols, cols.get(":, :, {}:{}, :", h - 2, h - 1)), 2);
    }
}

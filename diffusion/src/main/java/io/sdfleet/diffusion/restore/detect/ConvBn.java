package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.nn.BatchNorm2d;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;

/**
 * A bias-free convolution, a frozen batch norm and optionally a ReLU: facexlib's {@code conv_bn} /
 * {@code conv_bn1X1} (LeakyReLU with slope 0 at 256 channels, i.e. ReLU) and {@code conv_bn_no_relu}, and
 * torchvision's conv/bn pairs.
 */
final class ConvBn {

    private final Conv2d conv;
    private final BatchNorm2d norm;
    private final boolean relu;

    ConvBn(Conv2d conv, BatchNorm2d norm, boolean relu) {
        this.conv = conv;
        this.norm = norm;
        this.relu = relu;
    }

    /** facexlib's {@code nn.Sequential(conv, bn[, act])}: keys {@code 0.weight} and {@code 1.*} under {@code w}. */
    static ConvBn sequential(Weights w, int stride, int padding, boolean relu) {
        return new ConvBn(Conv2d.load(w.at("0"), stride, padding), BatchNorm2d.load(w.at("1")), relu);
    }

    NDArray forward(NDArray x) {
        NDArray y = norm.forward(conv.forward(x, PaddingMode.ZEROS));
        return relu ? Activation.relu(y) : y;
    }
}

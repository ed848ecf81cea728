package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.nn.BatchNorm2d;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

/**
 * torchvision's ResNet-50 bottleneck (v1.5: the stride sits on the 3×3): 1×1 → 3×3 → 1×1 (×4 channels), each with
 * a frozen batch norm, ReLU between, added to the input (through a strided 1×1 + norm where the shape changes),
 * ReLU.
 */
final class Bottleneck {

    private final ConvBn reduce;
    private final ConvBn spatial;
    private final ConvBn expand;
    private final ConvBn downsample;

    Bottleneck(Weights w, int stride) {
        reduce = new ConvBn(Conv2d.load(w.at("conv1"), 1, 0), BatchNorm2d.load(w.at("bn1")), true);
        spatial = new ConvBn(Conv2d.load(w.at("conv2"), stride, 1), BatchNorm2d.load(w.at("bn2")), true);
        expand = new ConvBn(Conv2d.load(w.at("conv3"), 1, 0), BatchNorm2d.load(w.at("bn3")), false);
        downsample = w.has("downsample.0.weight") ? ConvBn.sequential(w.at("downsample"), stride, 0, false) : null;
    }

    NDArray forward(NDArray x) {
        return Scope.run(() -> {
            NDArray identity = downsample == null ? x : downsample.forward(x);
            return Activation.relu(expand.forward(spatial.forward(reduce.forward(x))).add(identity));
        }, x);
    }
}

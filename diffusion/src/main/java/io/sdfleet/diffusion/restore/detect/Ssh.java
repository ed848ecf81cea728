package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

/**
 * The SSH context module: a 3×3 branch (half the channels) beside stacked 3×3s that see 5×5 and 7×7 (a quarter
 * each, sharing their first conv), concatenated and ReLU'd. Only the shared first conv has its own ReLU.
 */
final class Ssh {

    private final ConvBn conv3x3;
    private final ConvBn conv5x5First;
    private final ConvBn conv5x5Second;
    private final ConvBn conv7x7Second;
    private final ConvBn conv7x7Third;

    Ssh(Weights w) {
        conv3x3 = ConvBn.sequential(w.at("conv3X3"), 1, 1, false);
        conv5x5First = ConvBn.sequential(w.at("conv5X5_1"), 1, 1, true);
        conv5x5Second = ConvBn.sequential(w.at("conv5X5_2"), 1, 1, false);
        conv7x7Second = ConvBn.sequential(w.at("conv7X7_2"), 1, 1, true);
        conv7x7Third = ConvBn.sequential(w.at("conv7x7_3"), 1, 1, false);
    }

    NDArray forward(NDArray x) {
        return Scope.run(() -> {
            NDArray shared = conv5x5First.forward(x);
            NDArray five = conv5x5Second.forward(shared);
            NDArray seven = conv7x7Third.forward(conv7x7Second.forward(shared));
            return Activation.relu(NDArrays.concat(new NDList(conv3x3.forward(x), five, seven), 1));
        }, x);
    }
}

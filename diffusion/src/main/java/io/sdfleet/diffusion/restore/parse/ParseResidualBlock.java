package io.sdfleet.diffusion.restore.parse;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.restore.parse.ParseConvLayer.Scale;

/**
 * ParseNet's {@code ResidualBlock}: conv → BN → LeakyReLU → conv → BN, added to the input, or to a plain conv of it
 * ({@code shortcut_func}) when the block rescales or changes width. Scaling down strides the second conv; scaling
 * up upsamples before the first.
 */
final class ParseResidualBlock {

    private final ParseConvLayer shortcut;
    private final ParseConvLayer conv1;
    private final ParseConvLayer conv2;

    ParseResidualBlock(Weights w, Scale scale) {
        shortcut = w.has("shortcut_func.conv2d.weight")
                ? new ParseConvLayer(w.at("shortcut_func"), scale, false, false) : null;
        conv1 = new ParseConvLayer(w.at("conv1"), scale == Scale.UP ? Scale.UP : Scale.NONE, true, true);
        conv2 = new ParseConvLayer(w.at("conv2"), scale == Scale.DOWN ? Scale.DOWN : Scale.NONE, true, false);
    }

    NDArray forward(NDArray x) {
        return Scope.run(() -> {
            NDArray identity = shortcut == null ? x : shortcut.forward(x);
            return identity.add(conv2.forward(conv1.forward(x)));
        }, x);
    }
}

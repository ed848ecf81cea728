package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;

/**
 * VQGAN {@code ResBlock}: conv2(swish(norm2(conv1(swish(norm1(x)))))) + x, the residual through a 1×1
 * {@code conv_out} when the width changes. Norms are GroupNorm(32, eps 1e-6).
 */
final class VqResBlock implements VqBlock {

    static final int GROUPS = 32;
    static final float EPS = 1e-6f;

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d convOut; // null when in and out widths match

    VqResBlock(Weights w) {
        norm1 = GroupNorm.load(w.at("norm1"), GROUPS, EPS);
        conv1 = Conv2d.load(w.at("conv1"), 1, 1);
        norm2 = GroupNorm.load(w.at("norm2"), GROUPS, EPS);
        conv2 = Conv2d.load(w.at("conv2"), 1, 1);
        convOut = w.has("conv_out.weight") ? Conv2d.load(w.at("conv_out"), 1, 0) : null;
    }

    @Override
    public NDArray forward(NDArray x) {
        NDArray h = conv1.forward(Activations.silu(norm1.forward(x)), PaddingMode.ZEROS);
        h = conv2.forward(Activations.silu(norm2.forward(h)), PaddingMode.ZEROS);
        NDArray residual = convOut == null ? x : convOut.forward(x, PaddingMode.ZEROS);
        return h.add(residual);
    }
}

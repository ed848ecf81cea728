package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.PaddingMode;

/**
 * LDM {@code ResBlock}: two norm-SiLU-conv stages with the timestep embedding added in between, plus a residual
 * (a 1×1 conv when the channel count changes).
 */
final class ResBlock implements UNetBlock {

    private final GroupNorm inNorm;  // in_layers.0
    private final Conv2d inConv;     // in_layers.2
    private final Linear embProj;    // emb_layers.1
    private final GroupNorm outNorm; // out_layers.0
    private final Conv2d outConv;    // out_layers.3 (2 is dropout)
    private final Conv2d skip;       // skip_connection, or null for identity

    ResBlock(Weights w) {
        inNorm = GroupNorm.load(w.at("in_layers.0"), GroupNorm.SD_GROUPS, GroupNorm.UNET_EPS);
        inConv = Conv2d.load(w.at("in_layers.2"), 1, 1);
        embProj = Linear.load(w.at("emb_layers.1"));
        outNorm = GroupNorm.load(w.at("out_layers.0"), GroupNorm.SD_GROUPS, GroupNorm.UNET_EPS);
        outConv = Conv2d.load(w.at("out_layers.3"), 1, 1);
        skip = w.has("skip_connection.weight") ? Conv2d.load(w.at("skip_connection"), 1, 0) : null;
    }

    @Override
    public NDArray forward(NDArray x, NDArray emb, NDArray context, UNetSettings settings) {
        PaddingMode padding = settings.padding();
        NDArray h = inConv.forward(Activations.silu(inNorm.forward(x)), padding);
        NDArray e = embProj.forward(Activations.silu(emb));
        h = h.add(e.reshape(e.getShape().get(0), e.getShape().get(1), 1, 1));
        h = outConv.forward(Activations.silu(outNorm.forward(h)), padding);
        NDArray residual = skip == null ? x : skip.forward(x, padding);
        return residual.add(h);
    }
}

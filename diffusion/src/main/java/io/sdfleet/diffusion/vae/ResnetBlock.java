package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.NormStatistics;
import io.sdfleet.diffusion.nn.PaddingMode;

/** LDM VAE {@code ResnetBlock} (no timestep): x + conv2(silu(norm2(conv1(silu(norm1(x)))))), 1×1 shortcut on width change. */
final class ResnetBlock implements Stage {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut; // nin_shortcut (1×1) or conv_shortcut (3×3); null when widths match

    ResnetBlock(Weights w) {
        norm1 = GroupNorm.load(w.at("norm1"), GroupNorm.SD_GROUPS, GroupNorm.LDM_NORMALIZE_EPS);
        conv1 = Conv2d.load(w.at("conv1"), 1, 1);
        norm2 = GroupNorm.load(w.at("norm2"), GroupNorm.SD_GROUPS, GroupNorm.LDM_NORMALIZE_EPS);
        conv2 = Conv2d.load(w.at("conv2"), 1, 1);
        if (w.has("nin_shortcut.weight")) {
            shortcut = Conv2d.load(w.at("nin_shortcut"), 1, 0);
        } else if (w.has("conv_shortcut.weight")) {
            shortcut = Conv2d.load(w.at("conv_shortcut"), 1, 1);
        } else {
            shortcut = null;
        }
    }

    @Override
    public NDArray apply(NDArray x, StageSettings settings) {
        PaddingMode padding = settings.padding();
        NormStatistics norms = settings.norms();
        NDArray h = conv1.forward(Activations.silu(norm1.forward(x, norms)), padding);
        h = conv2.forward(Activations.silu(norm2.forward(h, norms)), padding);
        NDArray residual = shortcut == null ? x : shortcut.forward(x, padding);
        return residual.add(h);
    }
}

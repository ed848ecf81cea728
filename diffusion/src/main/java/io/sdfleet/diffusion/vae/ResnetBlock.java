package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.checkpoint.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** LDM VAE {@code ResnetBlock} (no timestep): x + conv2(silu(norm2(conv1(silu(norm1(x)))))), 1×1 shortcut on width change. */
final class ResnetBlock implements UnaryOperator<NDArray> {

    private final GroupNorm norm1;
    private final Conv2d conv1;
    private final GroupNorm norm2;
    private final Conv2d conv2;
    private final Conv2d shortcut; // nin_shortcut (1×1) or conv_shortcut (3×3); null when widths match

    ResnetBlock(Weights w, List<Conv2d> convolutions) {
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
        List<Conv2d> mine = new ArrayList<>(List.of(conv1, conv2));
        if (shortcut != null) {
            mine.add(shortcut);
        }
        convolutions.addAll(mine);
    }

    @Override
    public NDArray apply(NDArray x) {
        NDArray h = conv1.forward(Activations.silu(norm1.forward(x)));
        h = conv2.forward(Activations.silu(norm2.forward(h)));
        NDArray residual = shortcut == null ? x : shortcut.forward(x);
        return residual.add(h);
    }
}

package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;

import java.util.ArrayList;
import java.util.List;

/**
 * LDM VAE {@code Decoder}: conv_in; mid; levels from the deepest up (up.N counts down to 0), each with
 * up.N.block.M (+ attn.M) and, except at level 0, up.N.upsample (nearest ×2, conv); norm_out, SiLU, conv_out.
 */
final class Decoder {

    /** conv_in and mid at latent resolution: cheap, and mid's attention sees the whole latent. */
    private final List<Stage> latentStages = new ArrayList<>();
    /** The up levels and the output head: where the memory goes; local, so they can run tile by tile. */
    private final List<Stage> upStages = new ArrayList<>();

    Decoder(Weights w) {
        Conv2d convIn = Conv2d.load(w.at("conv_in"), 1, 1);
        latentStages.add((x, s) -> convIn.forward(x, s.padding()));
        Mid.addTo(latentStages, w.at("mid"));
        List<Stage> stages = upStages;
        int levels = 0;
        while (w.has("up." + levels + ".block.0.conv1.weight")) {
            levels++;
        }
        for (int level = levels - 1; level >= 0; level--) {
            Weights up = w.at("up." + level);
            for (int m = 0; up.has("block." + m + ".conv1.weight"); m++) {
                stages.add(new ResnetBlock(up.at("block." + m)));
                if (up.has("attn." + m + ".q.weight")) {
                    stages.add(new AttnBlock(up.at("attn." + m)));
                }
            }
            if (up.has("upsample.conv.weight")) {
                Conv2d conv = Conv2d.load(up.at("upsample.conv"), 1, 1);
                stages.add((x, s) -> {
                    long height = x.getShape().get(2);
                    long width = x.getShape().get(3);
                    try (NDArray doubled = x.getNDArrayInternal()
                            .interpolation(new long[] {2 * height, 2 * width}, 0, false)) {
                        return conv.forward(doubled, s.padding());
                    }
                });
            }
        }
        GroupNorm normOut = GroupNorm.load(w.at("norm_out"), GroupNorm.SD_GROUPS, GroupNorm.LDM_NORMALIZE_EPS);
        Conv2d convOut = Conv2d.load(w.at("conv_out"), 1, 1);
        stages.add((x, s) -> convOut.forward(Activations.silu(normOut.forward(x, s.norms())), s.padding()));
    }

    NDArray forward(NDArray z, StageSettings settings) {
        try (NDArray features = latent(z, settings)) {
            return up(features, settings);
        }
    }

    /** z → the mid block's output [B, C, h, w], in z's manager. */
    NDArray latent(NDArray z, StageSettings settings) {
        return Stages.run(latentStages, z, settings);
    }

    /** The mid block's output (or a window of it) → pixels at 8× its size, in its manager. */
    NDArray up(NDArray features, StageSettings settings) {
        return Stages.run(upStages, features, settings);
    }
}

package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;

import java.util.ArrayList;
import java.util.List;

/**
 * LDM VAE {@code Encoder}: conv_in; per level down.N.block.M (+ attn.M) and, except at the last level,
 * down.N.downsample; mid.{block_1, attn_1, block_2}; norm_out, SiLU, conv_out → [B, 2·z, H/8, W/8].
 */
final class Encoder {

    /** conv_in and the down levels: where the memory goes; local, so they can run tile by tile. */
    private final List<Stage> downStages = new ArrayList<>();
    /** mid and the output head at latent resolution: cheap, and mid's attention sees the whole latent. */
    private final List<Stage> latentStages = new ArrayList<>();

    Encoder(Weights w) {
        Conv2d convIn = Conv2d.load(w.at("conv_in"), 1, 1);
        List<Stage> stages = downStages;
        stages.add((x, s) -> convIn.forward(x, s.padding()));
        for (int level = 0; w.has("down." + level + ".block.0.conv1.weight"); level++) {
            Weights down = w.at("down." + level);
            for (int m = 0; down.has("block." + m + ".conv1.weight"); m++) {
                stages.add(new ResnetBlock(down.at("block." + m)));
                if (down.has("attn." + m + ".q.weight")) {
                    stages.add(new AttnBlock(down.at("attn." + m)));
                }
            }
            if (down.has("downsample.conv.weight")) {
                // LDM pads right and bottom by one, then convolves with stride 2 and no padding
                Conv2d conv = Conv2d.load(down.at("downsample.conv"), 2, 0);
                stages.add((x, s) -> {
                    try (NDArray padded = x.pad(new Shape(0, 1, 0, 1), 0)) {
                        return conv.forward(padded, s.padding());
                    }
                });
            }
        }
        stages = latentStages;
        Mid.addTo(stages, w.at("mid"));
        GroupNorm normOut = GroupNorm.load(w.at("norm_out"), GroupNorm.SD_GROUPS, GroupNorm.LDM_NORMALIZE_EPS);
        Conv2d convOut = Conv2d.load(w.at("conv_out"), 1, 1);
        stages.add((x, s) -> convOut.forward(Activations.silu(normOut.forward(x, s.norms())), s.padding()));
    }

    NDArray forward(NDArray image, StageSettings settings) {
        try (NDArray features = down(image, settings)) {
            return latent(features, settings);
        }
    }

    /** Pixels (or a window of them, sides multiples of 8) → features at 1/8 size, in the input's manager. */
    NDArray down(NDArray image, StageSettings settings) {
        return Stages.run(downStages, image, settings);
    }

    /** The down levels' output → the encoder's output [B, 2·z, h, w], in its manager. */
    NDArray latent(NDArray features, StageSettings settings) {
        return Stages.run(latentStages, features, settings);
    }
}

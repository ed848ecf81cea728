package io.sdfleet.diffusion.restore.codeformer;

import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * The VQGAN {@code Generator}'s block list ({@code generator.blocks.N}): a 3×3 conv from the 256-wide latent to 512;
 * ResBlock, attention, ResBlock; per level from the last down, two ResBlocks (each followed by attention at 16 px)
 * and, except after level 0, a nearest ×2 upsample and 3×3 conv; a GroupNorm and a 3×3 conv to RGB (no swish
 * between them).
 */
final class VqGenerator {

    private VqGenerator() {
    }

    static List<VqBlock> load(Weights w) {
        List<VqBlock> blocks = new ArrayList<>();
        Conv2d first = Conv2d.load(w.at("0"), 1, 1);
        blocks.add(x -> first.forward(x, PaddingMode.ZEROS));
        blocks.add(new VqResBlock(w.at(String.valueOf(blocks.size()))));
        blocks.add(new VqAttnBlock(w.at(String.valueOf(blocks.size()))));
        blocks.add(new VqResBlock(w.at(String.valueOf(blocks.size()))));
        int size = VqLayout.IMAGE_SIZE >> (VqLayout.levels() - 1);
        for (int level = VqLayout.levels() - 1; level >= 0; level--) {
            for (int r = 0; r < VqLayout.RES_BLOCKS; r++) {
                blocks.add(new VqResBlock(w.at(String.valueOf(blocks.size()))));
                if (size == VqLayout.ATTENTION_SIZE) {
                    blocks.add(new VqAttnBlock(w.at(String.valueOf(blocks.size()))));
                }
            }
            if (level != 0) {
                Conv2d conv = Conv2d.load(w.at(blocks.size() + ".conv"), 1, 1);
                blocks.add(x -> conv.forward(x.repeat(2, 2).repeat(3, 2), PaddingMode.ZEROS));
                size *= 2;
            }
        }
        GroupNorm norm = GroupNorm.load(w.at(String.valueOf(blocks.size())), VqResBlock.GROUPS, VqResBlock.EPS);
        blocks.add(norm::forward);
        Conv2d last = Conv2d.load(w.at(String.valueOf(blocks.size())), 1, 1);
        blocks.add(x -> last.forward(x, PaddingMode.ZEROS));
        return blocks;
    }
}

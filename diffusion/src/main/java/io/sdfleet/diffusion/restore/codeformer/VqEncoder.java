package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * The VQGAN {@code Encoder}'s block list, index for index as the file numbers it ({@code encoder.blocks.N}):
 * a 3×3 conv; per level two ResBlocks (each followed by attention at 16 px) and, except after the last, a stride-2
 * downsample; then ResBlock, attention, ResBlock; a GroupNorm and a 3×3 conv to the 256-wide latent. Note there is
 * no swish between that last norm and conv, unlike LDM's encoder.
 */
final class VqEncoder {

    private VqEncoder() {
    }

    static List<VqBlock> load(Weights w) {
        List<VqBlock> blocks = new ArrayList<>();
        Conv2d first = Conv2d.load(w.at("0"), 1, 1);
        blocks.add(x -> first.forward(x, PaddingMode.ZEROS));
        int size = VqLayout.IMAGE_SIZE;
        for (int level = 0; level < VqLayout.levels(); level++) {
            for (int r = 0; r < VqLayout.RES_BLOCKS; r++) {
                blocks.add(new VqResBlock(w.at(String.valueOf(blocks.size()))));
                if (size == VqLayout.ATTENTION_SIZE) {
                    blocks.add(new VqAttnBlock(w.at(String.valueOf(blocks.size()))));
                }
            }
            if (level != VqLayout.levels() - 1) {
                blocks.add(downsample(Conv2d.load(w.at(blocks.size() + ".conv"), 2, 0)));
                size /= 2;
            }
        }
        blocks.add(new VqResBlock(w.at(String.valueOf(blocks.size()))));
        blocks.add(new VqAttnBlock(w.at(String.valueOf(blocks.size()))));
        blocks.add(new VqResBlock(w.at(String.valueOf(blocks.size()))));
        GroupNorm norm = GroupNorm.load(w.at(String.valueOf(blocks.size())), VqResBlock.GROUPS, VqResBlock.EPS);
        blocks.add(norm::forward);
        Conv2d last = Conv2d.load(w.at(String.valueOf(blocks.size())), 1, 1);
        blocks.add(x -> last.forward(x, PaddingMode.ZEROS));
        return blocks;
    }

    /** Zero padding on the right and bottom only, then the stride-2 3×3 conv without padding. */
    private static VqBlock downsample(Conv2d conv) {
        return x -> {
            try (NDArray padded = x.pad(new Shape(0, 1, 0, 1), 0)) {
                return conv.forward(padded, PaddingMode.ZEROS);
            }
        };
    }
}

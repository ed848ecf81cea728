package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;

/** One entry of the VQGAN encoder's or generator's {@code blocks} list: [N, C, H, W] in, [N, C', H', W'] out. */
@FunctionalInterface
interface VqBlock {

    NDArray forward(NDArray x);
}

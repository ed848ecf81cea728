package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Conv2d;

/** The UNet's resolution changes: LDM {@code Downsample} (3×3 conv, stride 2) and {@code Upsample} (nearest ×2, conv). */
final class Resample {

    private Resample() {
    }

    /** {@code op}: conv 3×3, stride 2, padding 1. */
    static final class Down implements UNetBlock {
        private final Conv2d op;

        Down(Weights w) {
            op = Conv2d.load(w.at("op"), 2, 1);
        }

        @Override
        public NDArray forward(NDArray h, NDArray emb, NDArray context, UNetSettings settings) {
            return op.forward(h, settings.padding());
        }
    }

    /** Nearest-neighbour ×2, then {@code conv} 3×3, padding 1. */
    static final class Up implements UNetBlock {
        private final Conv2d conv;

        Up(Weights w) {
            conv = Conv2d.load(w.at("conv"), 1, 1);
        }

        @Override
        public NDArray forward(NDArray h, NDArray emb, NDArray context, UNetSettings settings) {
            long height = h.getShape().get(2);
            long width = h.getShape().get(3);
            return conv.forward(nearest(h, 2 * height, 2 * width), settings.padding());
        }
    }

    /** Nearest-neighbour resize of [B, C, H, W] to the given spatial size (torch's {@code mode="nearest"}). */
    static NDArray nearest(NDArray x, long height, long width) {
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, 0, false);
    }
}

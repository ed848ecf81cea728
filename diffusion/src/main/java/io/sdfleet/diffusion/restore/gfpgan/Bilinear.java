package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;

/**
 * {@code F.interpolate(x, scale_factor=f, mode='bilinear', align_corners=False)} for f = 2 and 0.5, GFPGAN's only
 * resampling. For an exact doubling, torch's source index (dst + ½)/f − ½ is the same whether it is given the factor
 * or the output size, so libtorch's kernel is called with the size. Halving is written out, because DJL's
 * interpolation antialiases when it shrinks (measured: a triangle filter over 4×4 pixels, not torch's default);
 * plain bilinear samples 2·dst + ½, i.e. each 2×2 cell with weight ¼, summed as torch's kernel does (each row's
 * pair, then the two rows).
 */
final class Bilinear {

    /** DJL's code for bilinear in {@code NDArrayEx.interpolation} (align_corners is always false there). */
    private static final int BILINEAR = 1;

    private Bilinear() {
    }

    static NDArray doubled(NDArray x) {
        return resize(x, x.getShape().get(2) * 2, x.getShape().get(3) * 2);
    }

    static NDArray halved(NDArray x) {
        long[] s = x.getShape().getShape();
        try (NDArray cells = x.reshape(s[0], s[1], s[2] / 2, 2, s[3] / 2, 2);
             NDArray topLeft = cells.get(":, :, :, 0, :, 0");
             NDArray topRight = cells.get(":, :, :, 0, :, 1");
             NDArray bottomLeft = cells.get(":, :, :, 1, :, 0");
             NDArray bottomRight = cells.get(":, :, :, 1, :, 1");
             NDArray top = topLeft.add(topRight);
             NDArray bottom = bottomLeft.add(bottomRight);
             NDArray sum = top.add(bottom)) {
            return sum.mul(0.25f);
        }
    }

    private static NDArray resize(NDArray x, long height, long width) {
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
    }
}

package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.ndarray.NDArray;

/**
 * {@code F.interpolate(x, scale_factor=f, mode='bilinear', align_corners=False)} for f = 2 and 0.5, GFPGAN's only
 * resampling. For an exact doubling or halving, torch's source index (dst + ½)/f − ½ is the same whether it is given
 * the factor or the output size, so the size form of libtorch's kernel computes the same values.
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
        return resize(x, x.getShape().get(2) / 2, x.getShape().get(3) / 2);
    }

    private static NDArray resize(NDArray x, long height, long width) {
        return x.getNDArrayInternal().interpolation(new long[] {height, width}, BILINEAR, false);
    }
}

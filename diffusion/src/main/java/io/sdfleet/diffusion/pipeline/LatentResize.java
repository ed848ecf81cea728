package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * {@code torch.nn.functional.interpolate} on latents [B, C, h, w] (antialias off), what A1111's "Latent" hires
 * upscalers and the 9-channel mask use. Both modes are separable, so they are written as two small matrix products:
 * out = R_h · x · R_wᵀ, each row of R holding the interpolation weights of one output position.
 */
final class LatentResize {

    public enum Mode {
        /** {@code mode='bilinear', align_corners=False}. */
        BILINEAR,
        /** {@code mode='nearest'}: source index ⌊i · in / out⌋. */
        NEAREST
    }

    private LatentResize() {
    }

    public static NDArray resize(NDArray x, int outH, int outW, Mode mode) {
        long[] s = x.getShape().getShape();
        NDManager owner = x.getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray rowsMatrix = weights(scope, (int) s[2], outH, mode);
            NDArray colsMatrix = weights(scope, (int) s[3], outW, mode).transpose();
            NDArray wide = x.toType(DataType.FLOAT32, false).matMul(colsMatrix);
            wide.attach(scope);
            NDArray out = rowsMatrix.matMul(wide).toType(x.getDataType(), false);
            out.attach(owner);
            return out;
        }
    }

    /** [out, in] interpolation matrix along one axis. */
    static NDArray weights(NDManager manager, int in, int out, Mode mode) {
        float[] m = new float[out * in];
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            if (mode == Mode.NEAREST) {
                m[o * in + Math.min(in - 1, (int) Math.floor(o * scale))] = 1f;
                continue;
            }
            double source = Math.max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.min((int) Math.floor(source), in - 1);
            int i1 = Math.min(i0 + 1, in - 1);
            double lambda = source - i0;
            m[o * in + i0] += (float) (1 - lambda);
            m[o * in + i1] += (float) lambda;
        }
        return manager.create(m, new Shape(out, in));
    }
}

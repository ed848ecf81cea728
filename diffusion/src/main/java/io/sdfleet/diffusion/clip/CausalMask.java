package io.sdfleet.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** The additive causal mask [T, T] of CLIP text towers: 0 on and below the diagonal, −∞ above (a token sees only its past). */
final class CausalMask {

    private CausalMask() {
    }

    static NDArray create(NDManager m, long tokens, DataType type) {
        int n = Math.toIntExact(tokens);
        float[] mask = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                mask[i * n + j] = Float.NEGATIVE_INFINITY;
            }
        }
        NDArray fp32 = m.create(mask, new Shape(n, n));
        if (type == DataType.FLOAT32) {
            return fp32;
        }
        NDArray converted = fp32.toType(type, false);
        fp32.close();
        return converted;
    }
}

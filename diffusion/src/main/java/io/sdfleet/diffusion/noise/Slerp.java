package io.sdfleet.diffusion.noise;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Scope;

/**
 * A1111's slerp (modules/rng.py), which mixes a seed's noise with its variation seed's noise. Kept exactly as
 * A1111 runs it on one image's (C, H, W) noise: the vectors are the columns along dim 1, so every (c, w) pair gets
 * its own angle; and when the columns are nearly parallel on average it falls back to a lerp whose weights are
 * the other way round (A1111's quirk, kept for parity).
 */
public final class Slerp {

    private static final int DIM = 1;
    private static final float NEARLY_PARALLEL = 0.9995f;

    private Slerp() {
    }

    /** slerp from {@code low} (t = 0) to {@code high} (t = 1); the result lives in low's manager. */
    public static NDArray mix(float t, NDArray low, NDArray high) {
        return Scope.run(() -> {
            NDArray cosine = unit(low).mul(unit(high)).sum(new int[] {DIM});
            if (cosine.mean().getFloat() > NEARLY_PARALLEL) {
                return low.mul(t).add(high.mul(1 - t));
            }
            NDArray omega = cosine.acos();
            NDArray sinOmega = omega.sin();
            NDArray lowWeight = omega.mul(1 - t).sin().div(sinOmega).expandDims(DIM);
            NDArray highWeight = omega.mul(t).sin().div(sinOmega).expandDims(DIM);
            return lowWeight.mul(low).add(highWeight.mul(high));
        }, low, high);
    }

    private static NDArray unit(NDArray x) {
        return x.div(x.square().sum(new int[] {DIM}, true).sqrt());
    }
}

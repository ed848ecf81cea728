package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Samplers that walk DDPM timesteps instead of σ: DDIM (η = 0, deterministic) as A1111 ≥ 1.6 runs it and as the
 * original CompVis {@code DDIMSampler} (A1111 ≤ 1.5) ran it. Both start from unscaled noise x_T and use the guided
 * ε directly: x_prev = √ᾱ_prev · x̂₀ + √(1 − ᾱ_prev) · ε with x̂₀ = (x − √(1 − ᾱ_t) · ε) / √ᾱ_t.
 */
final class TimestepSamplers {

    private TimestepSamplers() {
    }

    /**
     * A1111's DDIM: timesteps clip(range(0, 1000, 1000 // steps) + 1, 0, 999); the loop runs len − 1 times, so t = 1
     * is never evaluated and the last update lands on ᾱ at timestep 1 (8 steps make 7 UNet calls).
     */
    public static NDArray ddimA1111(EpsModel model, NDArray x, float[] alphasCumprod, int steps, StepCallback callback) {
        int[] timesteps = uniformTimesteps(alphasCumprod.length, steps);
        int calls = timesteps.length - 1;
        NDManager owner = x.getManager();
        NDArray current = x.duplicate();
        for (int i = 0; i < calls; i++) {
            int index = timesteps.length - 1 - i;
            double aT = alphasCumprod[timesteps[index]];
            double aPrev = alphasCumprod[index > 0 ? timesteps[index - 1] : 0];
            current = ddimStep(model, owner, current, timesteps[index], aT, aPrev, i + 1, calls, callback);
        }
        return current;
    }

    /**
     * CompVis DDIMSampler, η = 0: timesteps range(0, 1000, 1000 // steps) + 1, all of them evaluated, ᾱ_prev of the
     * first being ᾱ_0.
     */
    public static NDArray ddimCompVis(EpsModel model, NDArray x, float[] alphasCumprod, int steps, StepCallback callback) {
        int[] timesteps = uniformTimesteps(alphasCumprod.length, steps);
        NDManager owner = x.getManager();
        NDArray current = x.duplicate();
        int total = timesteps.length;
        for (int i = 0; i < total; i++) {
            int index = total - 1 - i;
            double aT = alphasCumprod[timesteps[index]];
            double aPrev = index > 0 ? alphasCumprod[timesteps[index - 1]] : alphasCumprod[0];
            current = ddimStep(model, owner, current, timesteps[index], aT, aPrev, i + 1, total, callback);
        }
        return current;
    }

    private static NDArray ddimStep(EpsModel model, NDManager owner, NDArray x, int t, double aT, double aPrev,
                                    int step, int total, StepCallback callback) {
        try (NDManager scope = owner.newSubManager()) {
            x.attach(scope);
            NDArray eps = model.eps(x, t);
            float sqrtOneMinusAt = (float) Math.sqrt(1 - (float) aT);
            NDArray predX0 = x.sub(eps.mul(sqrtOneMinusAt)).div((float) Math.sqrt((float) aT));
            NDArray dirXt = eps.mul((float) Math.sqrt(1 - (float) aPrev));
            NDArray next = predX0.mul((float) Math.sqrt((float) aPrev)).add(dirXt);
            callback.afterStep(step, total, next, predX0);
            next.attach(owner);
            return next;
        }
    }

    /** range(0, T, T // steps) + 1, clipped to T − 1. */
    static int[] uniformTimesteps(int trainingSteps, int steps) {
        int stride = Math.max(1, trainingSteps / steps);
        int count = (trainingSteps + stride - 1) / stride;
        int[] out = new int[count];
        for (int i = 0; i < count; i++) {
            out[i] = Math.min(i * stride + 1, trainingSteps - 1);
        }
        return out;
    }
}

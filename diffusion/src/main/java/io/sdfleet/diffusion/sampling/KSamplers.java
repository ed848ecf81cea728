package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * k-diffusion's samplers as small functions of (model, x, σ schedule). Each step runs in its own sub-manager, so
 * only the new x outlives it.
 */
public final class KSamplers {

    private KSamplers() {
    }

    /** Euler's method on the probability-flow ODE: x ← x + (σ_next − σ)·(x − denoised)/σ. */
    public static NDArray euler(Denoiser model, NDArray x, float[] sigmas, StepCallback callback) {
        NDManager owner = x.getManager();
        NDArray current = x.duplicate();
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            try (NDManager step = owner.newSubManager()) {
                current.attach(step);
                NDArray denoised = model.denoise(current, sigmas[i]);
                NDArray d = current.sub(denoised).div(sigmas[i]);
                NDArray next = current.add(d.mul(sigmas[i + 1] - sigmas[i]));
                callback.afterStep(i + 1, steps, next, denoised);
                next.attach(owner);
                current = next;
            }
        }
        return current;
    }

    /** Euler ancestral: step down to σ_down deterministically, then add noise back up to σ_next (η = 1). */
    public static NDArray eulerAncestral(Denoiser model, NDArray x, float[] sigmas, NoiseSource noise, StepCallback callback) {
        NDManager owner = x.getManager();
        NDArray current = x.duplicate();
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            try (NDManager step = owner.newSubManager()) {
                current.attach(step);
                NDArray denoised = model.denoise(current, sigmas[i]);
                float[] downUp = ancestralStep(sigmas[i], sigmas[i + 1], 1f);
                NDArray d = current.sub(denoised).div(sigmas[i]);
                NDArray next = current.add(d.mul(downUp[0] - sigmas[i]));
                if (sigmas[i + 1] > 0) {
                    NDArray n = noise.next(next, sigmas[i], sigmas[i + 1]);
                    next = next.add(n.mul(downUp[1]));
                }
                callback.afterStep(i + 1, steps, next, denoised);
                next.attach(owner);
                current = next;
            }
        }
        return current;
    }

    /** σ_down and σ_up of an ancestral step from σ to σ_next with noise fraction η (k-diffusion's get_ancestral_step). */
    static float[] ancestralStep(float sigma, float sigmaNext, float eta) {
        if (eta == 0) {
            return new float[] {sigmaNext, 0f};
        }
        double up = Math.min(sigmaNext, eta * Math.sqrt(sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma)));
        double down = Math.sqrt(sigmaNext * sigmaNext - up * up);
        return new float[] {(float) down, (float) up};
    }
}

package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.request.SamplerExtras;

import java.util.ArrayDeque;

/**
 * k-diffusion's samplers (v0.0.16, the version A1111 pins) as small functions of (model, x, σ schedule). Each step
 * runs in its own sub-manager, so only the new x outlives it. Notation as in k-diffusion: d = (x − denoised)/σ is
 * the ODE's derivative, t = −log σ the "time" of the DPM-Solver family.
 */
final class KSamplers {

    private KSamplers() {
    }

    /** One sampler step: from x at step i to the next x; arrays it creates belong to x's manager. */
    @FunctionalInterface
    private interface Step {
        NDArray apply(int i, NDArray x);
    }

    /** Runs {@code step} for every interval of the schedule, scoping each step and reporting it. */
    private static NDArray loop(NDArray x, float[] sigmas, StepCallback callback, Denoised lastDenoised, Step step) {
        NDManager owner = x.getManager();
        NDArray current = x.duplicate();
        int steps = sigmas.length - 1;
        for (int i = 0; i < steps; i++) {
            try (NDManager scope = owner.newSubManager()) {
                current.attach(scope);
                NDArray next = step.apply(i, current);
                callback.afterStep(i + 1, steps, next, lastDenoised.value);
                next.attach(owner);
                current = next;
            }
        }
        return current;
    }

    /** The latest denoised estimate, kept for the step callback (previews). */
    private static final class Denoised {
        NDArray value;

        NDArray of(Denoiser model, NDArray x, float sigma) {
            value = model.denoise(x, sigma);
            return value;
        }
    }

    /** x at noise level σ̂, ready for the step. */
    private record Churned(NDArray x, float sigmaHat) {
    }

    /** Churn γ of a step at σ out of {@code steps}: min(s_churn / steps, √2 − 1) inside [s_tmin, s_tmax], else 0. */
    private static float gamma(SamplerExtras extras, float sigma, int steps) {
        if (extras.sChurn() == 0 || sigma < extras.sTmin() || sigma > extras.sTmax()) {
            return 0f;
        }
        return (float) Math.min(extras.sChurn() / steps, Math.sqrt(2) - 1);
    }

    /**
     * k-diffusion's churn before an Euler, Heun or DPM2 step: with γ > 0, x gains fresh noise up to σ̂ = σ(1 + γ);
     * otherwise x stays at σ.
     */
    private static Churned churn(NDArray x, float sigma, int steps, SamplerExtras extras, NoiseSource noise) {
        float gamma = gamma(extras, sigma, steps);
        if (gamma == 0) {
            return new Churned(x, sigma);
        }
        float sigmaHat = sigma * (gamma + 1);
        NDArray eps = noise.next(x, sigma, sigmaHat).mul((float) extras.sNoise());
        return new Churned(x.add(eps.mul((float) Math.sqrt(sigmaHat * (double) sigmaHat - sigma * (double) sigma))),
                sigmaHat);
    }

    private static NDArray toD(NDArray x, float sigma, NDArray denoised) {
        return x.sub(denoised).div(sigma);
    }

    /** Euler's method on the probability-flow ODE, with k-diffusion's churn options. */
    public static NDArray euler(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras, NoiseSource noise,
                                StepCallback callback) {
        Denoised den = new Denoised();
        return loop(x, sigmas, callback, den, (i, xi) -> {
            Churned churned = churn(xi, sigmas[i], sigmas.length - 1, extras, noise);
            NDArray xh = churned.x();
            float sigmaHat = churned.sigmaHat();
            return xh.add(toD(xh, sigmaHat, den.of(model, xh, sigmaHat)).mul(sigmas[i + 1] - sigmaHat));
        });
    }

    /** Euler ancestral: Euler down to σ_down, then fresh noise back up to σ_next; with η and s_noise. */
    public static NDArray eulerAncestral(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras,
                                         NoiseSource noise, StepCallback callback) {
        Denoised den = new Denoised();
        float eta = (float) extras.eta();
        float sNoise = (float) extras.sNoise();
        return loop(x, sigmas, callback, den, (i, xi) -> {
            NDArray denoised = den.of(model, xi, sigmas[i]);
            float[] downUp = ancestralStep(sigmas[i], sigmas[i + 1], eta);
            NDArray next = xi.add(toD(xi, sigmas[i], denoised).mul(downUp[0] - sigmas[i]));
            return sigmas[i + 1] > 0 ? next.add(noise.next(next, sigmas[i], sigmas[i + 1]).mul(downUp[1] * sNoise)) : next;
        });
    }

    /** Heun's second-order method (the final step to σ = 0 is a plain Euler step), with k-diffusion's churn options. */
    public static NDArray heun(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras, NoiseSource noise,
                               StepCallback callback) {
        Denoised den = new Denoised();
        return loop(x, sigmas, callback, den, (i, x0) -> {
            Churned churned = churn(x0, sigmas[i], sigmas.length - 1, extras, noise);
            NDArray xi = churned.x();
            float sigmaHat = churned.sigmaHat();
            NDArray d = toD(xi, sigmaHat, den.of(model, xi, sigmaHat));
            float dt = sigmas[i + 1] - sigmaHat;
            if (sigmas[i + 1] == 0) {
                return xi.add(d.mul(dt));
            }
            NDArray x2 = xi.add(d.mul(dt));
            NDArray d2 = toD(x2, sigmas[i + 1], model.denoise(x2, sigmas[i + 1]));
            return xi.add(d.add(d2).div(2).mul(dt));
        });
    }

    /**
     * DPM2: a midpoint step in log σ (Karras et al.'s "DPM-Solver-2"-like second-order method), with k-diffusion's
     * churn options.
     */
    public static NDArray dpm2(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras, NoiseSource noise,
                               StepCallback callback) {
        Denoised den = new Denoised();
        return loop(x, sigmas, callback, den, (i, x0) -> {
            Churned churned = churn(x0, sigmas[i], sigmas.length - 1, extras, noise);
            NDArray xi = churned.x();
            float sigmaHat = churned.sigmaHat();
            NDArray d = toD(xi, sigmaHat, den.of(model, xi, sigmaHat));
            if (sigmas[i + 1] == 0) {
                return xi.add(d.mul(sigmas[i + 1] - sigmaHat));
            }
            float sigmaMid = logMidpoint(sigmaHat, sigmas[i + 1]);
            NDArray x2 = xi.add(d.mul(sigmaMid - sigmaHat));
            NDArray d2 = toD(x2, sigmaMid, model.denoise(x2, sigmaMid));
            return xi.add(d2.mul(sigmas[i + 1] - sigmaHat));
        });
    }

    /** DPM2 ancestral: the DPM2 step down to σ_down, then noise up to σ_next. */
    public static NDArray dpm2Ancestral(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras,
                                 NoiseSource noise, StepCallback callback) {
        float eta = (float) extras.eta();
        float sNoise = (float) extras.sNoise();
        Denoised den = new Denoised();
        return loop(x, sigmas, callback, den, (i, xi) -> {
            NDArray denoised = den.of(model, xi, sigmas[i]);
            float[] downUp = ancestralStep(sigmas[i], sigmas[i + 1], eta);
            NDArray d = toD(xi, sigmas[i], denoised);
            if (downUp[0] == 0) {
                return xi.add(d.mul(downUp[0] - sigmas[i]));
            }
            float sigmaMid = logMidpoint(sigmas[i], downUp[0]);
            NDArray x2 = xi.add(d.mul(sigmaMid - sigmas[i]));
            NDArray d2 = toD(x2, sigmaMid, model.denoise(x2, sigmaMid));
            NDArray next = xi.add(d2.mul(downUp[0] - sigmas[i]));
            return next.add(noise.next(next, sigmas[i], sigmas[i + 1]).mul(downUp[1] * sNoise));
        });
    }

    /** Linear multistep (order 4): Adams-style combination of the last derivatives, weights from integrating Lagrange polynomials. */
    public static NDArray lms(Denoiser model, NDArray x, float[] sigmas, StepCallback callback) {
        int order = 4;
        Denoised den = new Denoised();
        ArrayDeque<NDArray> ds = new ArrayDeque<>();
        NDManager history = x.getManager().newSubManager();
        try (history) {
            return loop(x, sigmas, callback, den, (i, xi) -> {
                NDArray d = toD(xi, sigmas[i], den.of(model, xi, sigmas[i]));
                d.attach(history);
                ds.addFirst(d);
                if (ds.size() > order) {
                    ds.removeLast().close();
                }
                int currentOrder = Math.min(i + 1, order);
                NDArray next = xi;
                int j = 0;
                for (NDArray dj : ds) { // newest first, as k-diffusion's reversed(ds)
                    next = next.add(dj.mul((float) LinearMultistep.coefficient(currentOrder, sigmas, i, j++)));
                }
                return next;
            });
        }
    }

    /** DPM-Solver++(2S) ancestral. */
    public static NDArray dpmpp2sAncestral(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras,
                                 NoiseSource noise, StepCallback callback) {
        float eta = (float) extras.eta();
        float sNoise = (float) extras.sNoise();
        Denoised den = new Denoised();
        return loop(x, sigmas, callback, den, (i, xi) -> {
            NDArray denoised = den.of(model, xi, sigmas[i]);
            float[] downUp = ancestralStep(sigmas[i], sigmas[i + 1], eta);
            NDArray next;
            if (downUp[0] == 0) {
                next = xi.add(toD(xi, sigmas[i], denoised).mul(downUp[0] - sigmas[i]));
            } else {
                double t = t(sigmas[i]);
                double tNext = t(downUp[0]);
                double h = tNext - t;
                double s = t + 0.5 * h;
                NDArray x2 = xi.mul((float) (sigma(s) / sigma(t))).sub(denoised.mul((float) Math.expm1(-h * 0.5)));
                NDArray denoised2 = model.denoise(x2, (float) sigma(s));
                next = xi.mul((float) (sigma(tNext) / sigma(t))).sub(denoised2.mul((float) Math.expm1(-h)));
            }
            return sigmas[i + 1] > 0 ? next.add(noise.next(next, sigmas[i], sigmas[i + 1]).mul(downUp[1] * sNoise)) : next;
        });
    }

    /** DPM-Solver++(2M): second order from the previous step's denoised estimate. */
    public static NDArray dpmpp2m(Denoiser model, NDArray x, float[] sigmas, StepCallback callback) {
        Denoised den = new Denoised();
        NDArray[] old = new NDArray[1];
        NDManager history = x.getManager().newSubManager();
        try (history) {
            return loop(x, sigmas, callback, den, (i, xi) -> {
                NDArray denoised = den.of(model, xi, sigmas[i]);
                NDArray next;
                if (sigmas[i + 1] == 0) {
                    next = denoised.duplicate(); // σ_next = 0: the solver lands exactly on the estimate
                } else {
                    double t = t(sigmas[i]);
                    double tNext = t(sigmas[i + 1]);
                    double h = tNext - t;
                    NDArray target = denoised;
                    if (old[0] != null) {
                        double r = (t - t(sigmas[i - 1])) / h;
                        target = denoised.mul((float) (1 + 1 / (2 * r))).sub(old[0].mul((float) (1 / (2 * r))));
                    }
                    next = xi.mul((float) (sigmas[i + 1] / (double) sigmas[i])).sub(target.mul((float) Math.expm1(-h)));
                }
                if (old[0] != null) {
                    old[0].close();
                }
                old[0] = denoised.duplicate();
                old[0].attach(history);
                return next;
            });
        }
    }

    /** DPM-Solver++ SDE (stochastic, r = 1/2): two noisy half steps per interval. */
    public static NDArray dpmppSde(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras,
                                 NoiseSource noise, StepCallback callback) {
        float eta = (float) extras.eta();
        float sNoise = (float) extras.sNoise();
        Denoised den = new Denoised();
        double r = 0.5;
        return loop(x, sigmas, callback, den, (i, xi) -> {
            NDArray denoised = den.of(model, xi, sigmas[i]);
            if (sigmas[i + 1] == 0) {
                return xi.add(toD(xi, sigmas[i], denoised).mul(sigmas[i + 1] - sigmas[i]));
            }
            double t = t(sigmas[i]);
            double tNext = t(sigmas[i + 1]);
            double h = tNext - t;
            double s = t + h * r;
            double fac = 1 / (2 * r);
            float[] downUp1 = ancestralStep((float) sigma(t), (float) sigma(s), eta);
            double s1 = t(downUp1[0]);
            NDArray x2 = xi.mul((float) (sigma(s1) / sigma(t))).sub(denoised.mul((float) Math.expm1(t - s1)));
            x2 = x2.add(noise.next(x2, (float) sigma(t), (float) sigma(s)).mul(downUp1[1] * sNoise));
            NDArray denoised2 = model.denoise(x2, (float) sigma(s));
            float[] downUp2 = ancestralStep((float) sigma(t), (float) sigma(tNext), eta);
            double tNext2 = t(downUp2[0]);
            NDArray mixed = denoised.mul((float) (1 - fac)).add(denoised2.mul((float) fac));
            NDArray next = xi.mul((float) (sigma(tNext2) / sigma(t))).sub(mixed.mul((float) Math.expm1(t - tNext2)));
            return next.add(noise.next(next, (float) sigma(t), (float) sigma(tNext)).mul(downUp2[1] * sNoise));
        });
    }

    /** DPM-Solver++(2M) SDE, midpoint variant, η = 1. */
    public static NDArray dpmpp2mSde(Denoiser model, NDArray x, float[] sigmas, SamplerExtras extras,
                                 NoiseSource noise, StepCallback callback) {
        float eta = (float) extras.eta();
        float sNoise = (float) extras.sNoise();
        Denoised den = new Denoised();
        NDArray[] old = new NDArray[1];
        double[] hLast = {Double.NaN};
        NDManager history = x.getManager().newSubManager();
        try (history) {
            return loop(x, sigmas, callback, den, (i, xi) -> {
                NDArray denoised = den.of(model, xi, sigmas[i]);
                NDArray next;
                double h = Double.NaN;
                if (sigmas[i + 1] == 0) {
                    next = denoised.duplicate();
                } else {
                    double t = -Math.log(sigmas[i]);
                    double s = -Math.log(sigmas[i + 1]);
                    h = s - t;
                    double etaH = eta * h;
                    next = xi.mul((float) (sigmas[i + 1] / (double) sigmas[i] * Math.exp(-etaH)))
                            .add(denoised.mul((float) -Math.expm1(-h - etaH)));
                    if (old[0] != null) {
                        double r = hLast[0] / h;
                        next = next.add(denoised.sub(old[0]).mul((float) (0.5 * -Math.expm1(-h - etaH) * (1 / r))));
                    }
                    if (eta != 0) { // k-diffusion draws no noise at η = 0
                        next = next.add(noise.next(next, sigmas[i], sigmas[i + 1])
                                .mul((float) (sigmas[i + 1] * Math.sqrt(-Math.expm1(-2 * etaH)) * sNoise)));
                    }
                }
                if (old[0] != null) {
                    old[0].close();
                }
                old[0] = denoised.duplicate();
                old[0].attach(history);
                hLast[0] = h;
                return next;
            });
        }
    }

    /** σ_down and σ_up of an ancestral step from σ to σ_next with noise fraction η (k-diffusion's get_ancestral_step). */
    static float[] ancestralStep(float sigma, float sigmaNext, float eta) {
        if (eta == 0) {
            return new float[] {sigmaNext, 0f};
        }
        double up = Math.min(sigmaNext, eta * Math.sqrt(sigmaNext * (double) sigmaNext
                * (sigma * (double) sigma - sigmaNext * (double) sigmaNext) / (sigma * (double) sigma)));
        double down = Math.sqrt(sigmaNext * (double) sigmaNext - up * up);
        return new float[] {(float) down, (float) up};
    }

    private static float logMidpoint(float a, float b) {
        return (float) Math.exp((Math.log(a) + Math.log(b)) / 2);
    }

    private static double t(double sigma) {
        return -Math.log(sigma);
    }

    private static double sigma(double t) {
        return Math.exp(-t);
    }
}

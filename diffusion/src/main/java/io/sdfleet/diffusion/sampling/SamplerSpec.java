package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import io.sdfleet.request.SamplerExtras;

import java.util.List;

/**
 * One entry of the sampler catalog, with A1111's name and options: the scheduler "Automatic" resolves to, whether
 * the schedule drops its next-to-last level, and whether it injects noise (ancestral/SDE: its noise source matters).
 */
public record SamplerSpec(String name, List<String> aliases, Scheduler defaultScheduler, boolean discardNextToLastSigma,
                          boolean stochastic, Run run) {

    /**
     * Everything a run needs; {@code eps} serves timestep samplers, {@code denoiser} k-diffusion ones.
     * {@code initLatent} is null for txt2img; for img2img the run starts at initLatent + noise·σ₀ instead of noise·σ₀.
     */
    public record Inputs(Denoiser denoiser, EpsModel eps, NDArray noise, NDArray initLatent,
                         float[] sigmas, float[] alphasCumprod, int steps, NoiseSource stepNoise, StepCallback callback,
                         SamplerExtras extras) {

        public Inputs {
            extras = extras == null ? SamplerExtras.DEFAULTS : extras;
        }

        public Inputs(Denoiser denoiser, EpsModel eps, NDArray noise, NDArray initLatent,
                      float[] sigmas, float[] alphasCumprod, int steps, NoiseSource stepNoise, StepCallback callback) {
            this(denoiser, eps, noise, initLatent, sigmas, alphasCumprod, steps, stepNoise, callback, SamplerExtras.DEFAULTS);
        }

        public Inputs(Denoiser denoiser, EpsModel eps, NDArray noise, float[] sigmas,
                      float[] alphasCumprod, int steps, NoiseSource stepNoise, StepCallback callback) {
            this(denoiser, eps, noise, null, sigmas, alphasCumprod, steps, stepNoise, callback, SamplerExtras.DEFAULTS);
        }
    }

    @FunctionalInterface
    public interface Run {
        NDArray sample(Inputs in);
    }

    /** Timestep samplers (DDIM) start from unscaled noise and ignore the σ schedule. */
    public boolean usesTimesteps() {
        return defaultScheduler == null;
    }

    /** The σ schedule for a run of {@code steps} with {@code scheduler} (Automatic → this sampler's default). */
    public float[] sigmas(DiscreteSchedule model, Scheduler scheduler, int steps) {
        Scheduler resolved = resolve(scheduler);
        if (discardNextToLastSigma) {
            return Sigmas.discardNextToLast(resolved.sigmas(model, steps + 1));
        }
        return resolved.sigmas(model, steps);
    }

    /** The scheduler that actually runs: the requested one, or this sampler's default for Automatic. */
    public Scheduler resolve(Scheduler requested) {
        if (requested == Scheduler.AUTOMATIC && defaultScheduler != null) {
            return defaultScheduler;
        }
        return requested;
    }
}

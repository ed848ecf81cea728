package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.sampling.Denoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.diffusion.sampling.KSamplers;
import io.sdfleet.diffusion.sampling.NoiseSource;
import io.sdfleet.diffusion.sampling.Sigmas;
import io.sdfleet.diffusion.sampling.StepCallback;

import java.util.Locale;

/** A sampler and schedule resolved from A1111 names. */
record SamplerChoice(String displayName, String scheduler, String scheduleLabel) {

    static SamplerChoice resolve(String sampler, String scheduler) {
        String s = sampler.trim();
        String name = switch (s.toLowerCase(Locale.ROOT)) {
            case "euler", "k_euler" -> "Euler";
            case "euler a", "k_euler_a", "euler_a" -> "Euler a";
            default -> throw new IllegalArgumentException("unknown sampler '" + sampler + "' (valid: Euler, Euler a)");
        };
        String sched = scheduler.trim().toLowerCase(Locale.ROOT);
        String label = switch (sched) {
            case "automatic", "uniform" -> sched.equals("uniform") ? "Uniform" : "Automatic";
            case "karras" -> "Karras";
            case "exponential" -> "Exponential";
            default -> throw new IllegalArgumentException("unknown scheduler '" + scheduler
                    + "' (valid: Automatic, Uniform, Karras, Exponential)");
        };
        return new SamplerChoice(name, sched, label);
    }

    float[] sigmas(DiscreteSchedule schedule, int steps) {
        return switch (scheduler) {
            case "karras" -> Sigmas.karras(schedule, steps);
            case "exponential" -> Sigmas.exponential(schedule, steps);
            default -> Sigmas.uniform(schedule, steps);
        };
    }

    int stepOfCall(int call, int steps) {
        return Math.min(call, steps - 1);
    }

    NDArray sample(Denoiser model, NDArray x, float[] sigmas, NoiseSource noise, StepCallback callback) {
        return switch (displayName) {
            case "Euler a" -> KSamplers.eulerAncestral(model, x, sigmas, noise, callback);
            default -> KSamplers.euler(model, x, sigmas, callback);
        };
    }
}

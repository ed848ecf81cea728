package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import io.sdfleet.request.Sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The samplers the engine offers, under A1111's names (v1.9+) and aliases, with A1111's per-sampler defaults:
 * Karras for DPM++ 2M, DPM++ SDE, DPM++ 2S a, DPM2 and DPM2 a; Exponential for DPM++ 2M SDE; the model's own
 * ("Uniform") levels otherwise. {@code DDIM} is A1111 ≥ 1.6's timestep DDIM; {@code DDIM CompVis} the original.
 */
public final class SamplerCatalog {

    private static final List<SamplerSpec> ALL = List.of(
            k("Euler a", List.of("k_euler_a", "k_euler_ancestral", "sample_euler_ancestral"), Scheduler.AUTOMATIC, false, true,
                    in -> KSamplers.eulerAncestral(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            k("Euler", List.of("k_euler", "sample_euler"), Scheduler.AUTOMATIC, false, false,
                    in -> KSamplers.euler(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            k("LMS", List.of("k_lms", "sample_lms"), Scheduler.AUTOMATIC, false, false,
                    in -> KSamplers.lms(in.denoiser(), x0(in), in.sigmas(), in.callback())),
            k("Heun", List.of("k_heun", "sample_heun"), Scheduler.AUTOMATIC, false, false,
                    in -> KSamplers.heun(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            k("DPM2", List.of("k_dpm_2", "sample_dpm_2"), Scheduler.KARRAS, true, false,
                    in -> KSamplers.dpm2(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            k("DPM2 a", List.of("k_dpm_2_a", "sample_dpm_2_ancestral"), Scheduler.KARRAS, true, true,
                    in -> KSamplers.dpm2Ancestral(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            k("DPM++ 2S a", List.of("k_dpmpp_2s_a", "sample_dpmpp_2s_ancestral"), Scheduler.KARRAS, false, true,
                    in -> KSamplers.dpmpp2sAncestral(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            k("DPM++ 2M", List.of("k_dpmpp_2m", "sample_dpmpp_2m"), Scheduler.KARRAS, false, false,
                    in -> KSamplers.dpmpp2m(in.denoiser(), x0(in), in.sigmas(), in.callback())),
            k("DPM++ SDE", List.of("k_dpmpp_sde", "sample_dpmpp_sde"), Scheduler.KARRAS, false, true,
                    in -> KSamplers.dpmppSde(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            k("DPM++ 2M SDE", List.of("k_dpmpp_2m_sde", "sample_dpmpp_2m_sde"), Scheduler.EXPONENTIAL, false, true,
                    in -> KSamplers.dpmpp2mSde(in.denoiser(), x0(in), in.sigmas(), in.extras(), in.stepNoise(), in.callback())),
            new SamplerSpec("DDIM", List.of("ddim"), null, false, false,
                    in -> TimestepSamplers.ddimA1111(in.eps(), in.noise(), in.alphasCumprod(), in.steps(), in.callback())),
            new SamplerSpec("UniPC", List.of("unipc"), null, false, false,
                    in -> UniPc.sample(in.eps(), in.noise(), in.alphasCumprod(), in.steps(), in.callback())),
            new SamplerSpec("DDIM CompVis", List.of("ddim_compvis", "ddim-compvis"), null, false, false,
                    in -> TimestepSamplers.ddimCompVis(in.eps(), in.noise(), in.alphasCumprod(), in.steps(), in.callback())));

    private SamplerCatalog() {
    }

    private static SamplerSpec k(String name, List<String> aliases, Scheduler scheduler, boolean discard,
                                 boolean stochastic, SamplerSpec.Run run) {
        return new SamplerSpec(name, aliases, scheduler, discard, stochastic, run);
    }

    /** k-diffusion starts from noise scaled to the first σ (added to the init latent for img2img). */
    private static NDArray x0(SamplerSpec.Inputs in) {
        NDArray scaled = in.noise().mul(in.sigmas()[0]);
        if (in.initLatent() == null) {
            return scaled;
        }
        NDArray start = scaled.add(in.initLatent());
        scaled.close();
        return start;
    }

    public static List<SamplerSpec> all() {
        return ALL;
    }

    /** A sampler with the scheduler it was asked to use. */
    public record Choice(SamplerSpec sampler, Scheduler scheduler) {
    }

    /**
     * Resolves a request's sampler and scheduler names. Like A1111's {@code get_sampler_and_scheduler}, a legacy
     * combined name such as "DPM++ 2M Karras" is split into sampler "DPM++ 2M" and scheduler "Karras" when the
     * request's scheduler is Automatic.
     */
    public static Choice choose(String samplerName, String schedulerName) {
        Scheduler scheduler = Scheduler.byName(schedulerName == null || schedulerName.isBlank()
                ? Sampling.DEFAULT_SCHEDULER : schedulerName);
        String n = samplerName.trim();
        for (Scheduler suffix : Scheduler.values()) {
            String tail = " " + suffix.label();
            if (suffix != Scheduler.AUTOMATIC && n.toLowerCase(Locale.ROOT).endsWith(tail.toLowerCase(Locale.ROOT))
                    && findByName(n.substring(0, n.length() - tail.length())) != null) {
                return new Choice(byName(n.substring(0, n.length() - tail.length())),
                        scheduler == Scheduler.AUTOMATIC ? suffix : scheduler);
            }
        }
        return new Choice(byName(n), scheduler);
    }

    private static SamplerSpec findByName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (SamplerSpec s : ALL) {
            if (s.name().toLowerCase(Locale.ROOT).equals(n) || s.aliases().contains(n)) {
                return s;
            }
        }
        return null;
    }

    /**
     * By A1111 name or alias, ignoring case. Legacy combined names go through {@link #choose}.
     */
    public static SamplerSpec byName(String name) {
        SamplerSpec found = findByName(name);
        if (found != null) {
            return found;
        }
        List<String> valid = new ArrayList<>();
        ALL.forEach(s -> valid.add(s.name()));
        throw new IllegalArgumentException("unknown sampler '" + name + "' (valid: " + String.join(", ", valid) + ")");
    }
}

package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.Sampling;

import java.util.Objects;

/**
 * The samplers a run uses, chosen once per request: the first pass's, and the hires pass's (A1111's
 * {@code hr_sampler_name} and {@code hr_scheduler}; the first pass's when the request names none or the same).
 */
record SamplerChoices(SamplerCatalog.Choice first, SamplerCatalog.Choice hires) {

    static SamplerChoices of(Sampling sampling, HiresFix hires) {
        SamplerCatalog.Choice first = SamplerCatalog.choose(sampling.sampler(), sampling.scheduler());
        if (hires == null || hires.sampler() == null || hires.sampler().isBlank()) {
            return new SamplerChoices(first, first);
        }
        String scheduler = hires.scheduler() == null ? sampling.scheduler() : hires.scheduler();
        boolean asFirst = hires.sampler().equals(sampling.sampler()) && Objects.equals(scheduler, sampling.scheduler());
        return new SamplerChoices(first, asFirst ? first : SamplerCatalog.choose(hires.sampler(), scheduler));
    }
}

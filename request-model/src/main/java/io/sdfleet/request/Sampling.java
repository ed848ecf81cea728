package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;

/**
 * How the first pass samples: sampler and schedule type by A1111 name (blank = A1111's defaults, Euler and the
 * sampler's own schedule), steps, classifier-free guidance scale and the sampler's extra knobs.
 */
public record Sampling(String sampler, String scheduler, int steps, double cfgScale, SamplerExtras extras) {

    public static final String DEFAULT_SAMPLER = "Euler";
    /** A1111's "Automatic": each sampler's own schedule. */
    public static final String DEFAULT_SCHEDULER = "Automatic";

    public Sampling {
        sampler = sampler == null || sampler.isBlank() ? DEFAULT_SAMPLER : sampler;
        scheduler = scheduler == null || scheduler.isBlank() ? DEFAULT_SCHEDULER : scheduler;
        extras = extras == null ? SamplerExtras.DEFAULTS : extras;
    }

    /** With A1111's default extras. */
    public Sampling(String sampler, String scheduler, int steps, double cfgScale) {
        this(sampler, scheduler, steps, cfgScale, SamplerExtras.DEFAULTS);
    }

    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (steps < 1 || steps > 1000) {
            problems.add("steps must be between 1 and 1000, got " + steps);
        }
        if (!(cfgScale >= 0 && cfgScale <= 100)) {
            problems.add("cfg_scale must be between 0 and 100, got " + cfgScale);
        }
        problems.addAll(extras.problems());
        return problems;
    }
}

package io.sdfleet.contracts;

/**
 * k-diffusion's sampler knobs as A1111's API names them: {@code eta}, {@code s_churn}, {@code s_tmin},
 * {@code s_tmax} (null = infinity, which JSON cannot write) and {@code s_noise}.
 */
public record SamplerSettings(double eta, double sChurn, double sTmin, Double sTmax, double sNoise) {

    /** A1111's defaults: η 1, no churn, s_noise 1. */
    public static final SamplerSettings DEFAULTS = new SamplerSettings(1, 0, 0, null, 1);
}

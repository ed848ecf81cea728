package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;

/**
 * k-diffusion's sampler knobs as A1111 passes them: {@code eta} (how much fresh noise an ancestral or SDE step
 * adds; 1 = full), {@code s_noise} (scale of that noise), and for Euler, Heun and DPM2 "churn" — {@code s_churn}
 * raises σ by up to (√2 − 1)·σ with fresh noise on steps whose σ lies in [s_tmin, s_tmax].
 * {@link #DEFAULTS} are A1111's: η 1, no churn, s_noise 1.
 */
public record SamplerExtras(double eta, double sChurn, double sTmin, double sTmax, double sNoise) {

    public static final SamplerExtras DEFAULTS = new SamplerExtras(1, 0, 0, Double.POSITIVE_INFINITY, 1);

    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!(eta >= 0 && eta <= 10)) {
            problems.add("eta must be between 0 and 10, got " + eta);
        }
        if (!(sChurn >= 0 && sChurn <= 100)) {
            problems.add("s_churn must be between 0 and 100, got " + sChurn);
        }
        if (!(sTmin >= 0) || Double.isNaN(sTmax) || sTmax < sTmin) {
            problems.add("s_tmin must be ≥ 0 and s_tmax ≥ s_tmin, got " + sTmin + " and " + sTmax);
        }
        if (!(sNoise >= 0 && sNoise <= 10)) {
            problems.add("s_noise must be between 0 and 10, got " + sNoise);
        }
        return problems;
    }
}

package io.sdfleet.diffusion.sampling;

/** Noise-level schedules for k-diffusion samplers; each ends with an appended 0. */
final class Sigmas {

    private Sigmas() {
    }

    /** The model's own levels at evenly spaced timesteps 999 … 0 (A1111's "Uniform", k-diffusion's get_sigmas). */
    public static float[] uniform(DiscreteSchedule model, int n) {
        float[] t = linspace(model.size() - 1, 0, n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = model.tToSigma(t[i]);
        }
        return out;
    }

    /** Karras et al. (2022): evenly spaced in σ^(1/ρ) between the model's σ_max and σ_min, ρ = 7. */
    public static float[] karras(DiscreteSchedule model, int n) {
        double rho = 7.0;
        double minInv = Math.pow(model.sigmaMin(), 1 / rho);
        double maxInv = Math.pow(model.sigmaMax(), 1 / rho);
        float[] ramp = linspace(0, 1, n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = (float) Math.pow(maxInv + ramp[i] * (minInv - maxInv), rho);
        }
        return out;
    }

    /** Evenly spaced in log σ from σ_max to σ_min. */
    public static float[] exponential(DiscreteSchedule model, int n) {
        float[] logs = linspace((float) Math.log(model.sigmaMax()), (float) Math.log(model.sigmaMin()), n);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = (float) Math.exp(logs[i]);
        }
        return out;
    }

    /** SGM's uniform spacing: evenly in timestep from σ_max's to σ_min's, n points, σ_min's own end dropped. */
    public static float[] sgmUniform(DiscreteSchedule model, int n) {
        float[] t = linspace(model.sigmaToT(model.sigmaMax()), model.sigmaToT(model.sigmaMin()), n + 1);
        float[] out = new float[n + 1];
        for (int i = 0; i < n; i++) {
            out[i] = model.tToSigma(t[i]);
        }
        return out;
    }

    /** A1111's discard_next_to_last_sigma (DPM2, DPM2 a): built for n + 1 steps, the level before 0 is dropped. */
    public static float[] discardNextToLast(float[] sigmas) {
        float[] out = new float[sigmas.length - 1];
        System.arraycopy(sigmas, 0, out, 0, sigmas.length - 2);
        out[out.length - 1] = sigmas[sigmas.length - 1];
        return out;
    }

    /** torch.linspace in fp32: the first half counts up from start, the second half down from end. */
    static float[] linspace(float start, float end, int n) {
        float[] out = new float[n];
        if (n == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (n - 1);
        int half = n / 2;
        for (int i = 0; i < n; i++) {
            out[i] = i < half ? start + step * i : end - step * (n - 1 - i);
        }
        return out;
    }
}

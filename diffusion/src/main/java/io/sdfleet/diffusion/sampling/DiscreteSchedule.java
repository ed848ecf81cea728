package io.sdfleet.diffusion.sampling;

/**
 * The model's own noise levels: DDPM's 1000 training steps seen as σ_t = √((1 − ᾱ_t) / ᾱ_t), in fp32 as
 * k-diffusion's {@code CompVisDenoiser} holds them, with the log-σ interpolation that maps a σ between two
 * training levels to a fractional timestep (quantize=False) and back.
 */
public final class DiscreteSchedule {

    private final float[] alphasCumprod;
    private final float[] sigmas;
    private final float[] logSigmas;

    public DiscreteSchedule(float[] alphasCumprod) {
        this.alphasCumprod = alphasCumprod.clone();
        sigmas = new float[alphasCumprod.length];
        logSigmas = new float[alphasCumprod.length];
        for (int i = 0; i < sigmas.length; i++) {
            float a = alphasCumprod[i];
            sigmas[i] = (float) Math.sqrt((1f - a) / a);
            logSigmas[i] = (float) Math.log(sigmas[i]);
        }
    }

    /**
     * LDM's default "linear" schedule: β spaced linearly in √β from 0.00085 to 0.012 over 1000 steps, ᾱ the
     * running product (computed in double and stored in fp32, as LDM's register_schedule does).
     */
    public static DiscreteSchedule sdDefault() {
        int steps = 1000;
        float[] alphas = new float[steps];
        double start = Math.sqrt(0.00085);
        double end = Math.sqrt(0.012);
        double product = 1;
        for (int i = 0; i < steps; i++) {
            double root = start + (end - start) * i / (steps - 1);
            product *= 1 - root * root;
            alphas[i] = (float) product;
        }
        return new DiscreteSchedule(alphas);
    }

    /** ᾱ_t for t = 0 … T − 1 (what the timestep samplers use). */
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    public int size() {
        return sigmas.length;
    }

    public float sigma(int t) {
        return sigmas[t];
    }

    public float sigmaMin() {
        return sigmas[0];
    }

    public float sigmaMax() {
        return sigmas[sigmas.length - 1];
    }

    /** The fractional timestep whose interpolated log σ equals log {@code sigma} (k-diffusion's sigma_to_t). */
    public float sigmaToT(float sigma) {
        float logSigma = (float) Math.log(sigma);
        // low = last index whose log σ is ≤ the query, clamped so that high = low + 1 exists.
        int low = 0;
        for (int i = 0; i < logSigmas.length; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i;
            }
        }
        low = Math.min(low, logSigmas.length - 2);
        int high = low + 1;
        float w = (logSigmas[low] - logSigma) / (logSigmas[low] - logSigmas[high]);
        w = Math.max(0f, Math.min(1f, w));
        return (1 - w) * low + w * high;
    }

    /** The training step whose σ is nearest {@code sigma} (torch.argmin over the fp32 levels: the first on a tie). */
    public int nearestT(float sigma) {
        int best = 0;
        for (int i = 1; i < sigmas.length; i++) {
            if (Math.abs(sigmas[i] - sigma) < Math.abs(sigmas[best] - sigma)) {
                best = i;
            }
        }
        return best;
    }

    /** σ at a fractional timestep by log-σ interpolation (k-diffusion's t_to_sigma). */
    public float tToSigma(float t) {
        int low = (int) Math.floor(t);
        int high = (int) Math.ceil(t);
        float w = t - low;
        float logSigma = (1 - w) * logSigmas[low] + w * logSigmas[high];
        return (float) Math.exp(logSigma);
    }
}

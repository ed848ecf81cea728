package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.model.NoisePredictor.Prediction;

/**
 * What a sampler needs from a UNet output, for either parameterization. With x = x₀ + σ·ε in k-diffusion's
 * σ-space (σ_data = 1):
 * <ul>
 *   <li>ε-prediction ({@code CompVisDenoiser}): x̂₀ = x − σ·ε;</li>
 *   <li>v-prediction ({@code CompVisVDenoiser}): x̂₀ = c_skip·x + c_out·v, c_skip = 1/(σ² + 1),
 *       c_out = −σ/√(σ² + 1);</li>
 * </ul>
 * and in DDPM's ᾱ-space (x_t = √ᾱ·x₀ + √(1 − ᾱ)·ε, v = √ᾱ·ε − √(1 − ᾱ)·x₀) the noise a timestep sampler steps
 * with is ε = √ᾱ·v + √(1 − ᾱ)·x_t (LDM's {@code predict_eps_from_z_and_v}). Results are new arrays in the model
 * output's manager.
 */
final class PredictionConversions {

    private PredictionConversions() {
    }

    /** The denoised estimate x̂₀ of unscaled latents {@code x} at noise level σ from the model's output. */
    public static NDArray denoised(Prediction prediction, NDArray x, NDArray output, float sigma) {
        if (prediction == Prediction.EPSILON) {
            try (NDArray noise = output.mul(sigma)) {
                return x.sub(noise);
            }
        }
        float cSkip = (float) (1.0 / ((double) sigma * sigma + 1.0));
        float cOut = (float) (-sigma / Math.sqrt((double) sigma * sigma + 1.0));
        try (NDArray fromV = output.mul(cOut); NDArray fromX = x.mul(cSkip)) {
            return fromV.add(fromX);
        }
    }

    /** The noise prediction ε for the timestep-sampler input {@code xT} with cumulative ᾱ of its timestep. */
    public static NDArray eps(Prediction prediction, NDArray xT, NDArray output, double alphaCumprod) {
        if (prediction == Prediction.EPSILON) {
            return output.duplicate();
        }
        float signal = (float) Math.sqrt(alphaCumprod);
        float noise = (float) Math.sqrt(1 - alphaCumprod);
        try (NDArray fromV = output.mul(signal); NDArray fromX = xT.mul(noise)) {
            return fromV.add(fromX);
        }
    }
}

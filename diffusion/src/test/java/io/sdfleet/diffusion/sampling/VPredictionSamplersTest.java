package io.sdfleet.diffusion.sampling;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.function.DoubleUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A v model that is the exact twin of an ε model (v = (ε − √(1 − ᾱ)·x)/√ᾱ) must sample the same latents under
 * guidance, on σ samplers and timestep samplers alike: that is what the v scalings and v → ε conversions promise.
 */
class VPredictionSamplersTest {

    private static final int STEPS = 8;

    @ParameterizedTest
    @ValueSource(strings = {"Euler", "DPM++ 2M", "Heun", "DDIM", "DDIM CompVis", "UniPC"})
    void vTwinOfAnEpsModelSamplesTheSameLatents(String name) {
        DiscreteSchedule schedule = DiscreteSchedule.sdDefault();
        float[] alphas = schedule.alphasCumprod();
        SamplerSpec spec = SamplerCatalog.byName(name);
        // σ samplers ask at fractional t whose ᾱ is 1/(1 + σ(t)²); A1111's timestep samplers index ᾱ at int(t).
        DoubleUnaryOperator alphaAt = spec.usesTimesteps()
                ? t -> alphas[(int) t]
                : t -> 1 / (1 + Math.pow(schedule.tToSigma((float) t), 2));
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray noise = TorchCpuRandom.randn(m, 11, new Shape(1, 4, 6, 6));
            NDArray cond = TorchCpuRandom.randn(m, 12, new Shape(1, 3, 8));
            NDArray uncond = TorchCpuRandom.randn(m, 13, new Shape(1, 3, 8));
            NDArray start = spec.usesTimesteps() ? noise : noise.mul(schedule.sigmaMax());
            NDArray fromEps = sample(spec, schedule, new EpsModel(), cond, uncond, start);
            NDArray fromV = sample(spec, schedule, new VTwin(new EpsModel(), alphaAt), cond, uncond, start);
            double err = Tensors.maxAbs(fromV, fromEps);
            double scale = fromEps.abs().max().getFloat();
            System.out.printf("%s: v twin vs ε model max-abs %.3g (max|x| %.3g)%n", name, err, scale);
            assertThat(err / scale).isLessThan(1e-4);
        }
    }

    private static NDArray sample(SamplerSpec spec, DiscreteSchedule schedule, NoisePredictor model, NDArray cond,
                                  NDArray uncond, NDArray start) {
        CfgDenoiser denoiser = new CfgDenoiser(model, schedule, call -> Conditioning.of(cond), call -> Conditioning.of(uncond), 7f);
        float[] sigmas = spec.usesTimesteps() ? null : spec.sigmas(schedule, Scheduler.AUTOMATIC, STEPS);
        return spec.run().sample(new SamplerSpec.Inputs(denoiser, denoiser::guidedEps, start, sigmas,
                schedule.alphasCumprod(), STEPS, null, StepCallback.NONE));
    }

    /** A smooth, context- and time-dependent ε model: 0.5·tanh(x) + 0.2·mean(context) + t/2000. */
    private static final class EpsModel implements NoisePredictor {
        @Override
        public NDArray predict(NDArray x, NDArray timesteps, NDArray context) {
            long batch = x.getShape().get(0);
            float t = timesteps.getFloat(0);
            try (NDArray textMean = context.reshape(batch, -1).mean(new int[] {1}).reshape(batch, 1, 1, 1);
                 NDArray shape = x.tanh().mul(0.5f)) {
                return shape.add(textMean.mul(0.2f)).add(t / 2000f);
            }
        }

        @Override
        public Prediction prediction() {
            return Prediction.EPSILON;
        }
    }

    /** The same model predicting v = (ε − √(1 − ᾱ_t)·x)/√ᾱ_t. */
    private record VTwin(NoisePredictor eps, DoubleUnaryOperator alphaAt) implements NoisePredictor {
        @Override
        public NDArray predict(NDArray x, NDArray timesteps, NDArray context) {
            double alpha = alphaAt.applyAsDouble(timesteps.getFloat(0));
            try (NDArray e = eps.predict(x, timesteps, context)) {
                return e.sub(x.mul((float) Math.sqrt(1 - alpha))).div((float) Math.sqrt(alpha));
            }
        }

        @Override
        public Prediction prediction() {
            return Prediction.V;
        }
    }
}

package io.sdfleet.diffusion.sampling;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sampler properties that hold for any correct implementation: with a model that always predicts the same clean
 * image, every deterministic solver must land on that image; the schedule matches k-diffusion's.
 */
class SamplerMathTest {

    @Test
    void modelSigmasMatchKDiffusion() {
        var ref = Reference.tensors("cases/schedule.safetensors");
        DiscreteSchedule schedule = new DiscreteSchedule(ref.get("alphas_cumprod").toFloats());
        float[] expected = ref.get("kdiff_sigmas").toFloats();
        double worst = 0;
        for (int t = 0; t < expected.length; t++) {
            worst = Math.max(worst, Math.abs(schedule.sigma(t) - expected[t]) / expected[t]);
            assertThat(schedule.sigmaToT(schedule.sigma(t))).isCloseTo(t, Offset.offset(1e-3f));
        }
        assertThat(worst).isLessThan(1e-6);
        assertThat(DiscreteSchedule.sdDefault().sigma(999)).isCloseTo(schedule.sigma(999), Offset.offset(1e-3f));
    }

    @Test
    void everyDeterministicSolverLandsOnAFixedCleanImage() {
        DiscreteSchedule schedule = DiscreteSchedule.sdDefault();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray target = TorchCpuRandom.randn(m, 5, new Shape(1, 4, 6, 6));
            NDArray noise = TorchCpuRandom.randn(m, 6, new Shape(1, 4, 6, 6));
            Denoiser fixed = (x, sigma) -> target.duplicate();
            for (String name : new String[] {"Euler", "Heun", "LMS", "DPM2", "DPM++ 2M"}) {
                SamplerSpec spec = SamplerCatalog.byName(name);
                float[] sigmas = spec.sigmas(schedule, Scheduler.AUTOMATIC, 10);
                NDArray out = spec.run().sample(new SamplerSpec.Inputs(fixed, null, noise, sigmas,
                        schedule.alphasCumprod(), 10, null, StepCallback.NONE));
                assertThat(Tensors.maxAbs(out, target)).as(name).isLessThan(1e-3);
            }
            // Timestep samplers see ε; the ε consistent with the fixed clean image at ᾱ_t.
            float[] alphas = schedule.alphasCumprod();
            EpsModel eps = (x, t) -> {
                double a = interpolate(alphas, t);
                return x.sub(target.mul((float) Math.sqrt(a))).div((float) Math.sqrt(1 - a));
            };
            for (String name : new String[] {"DDIM", "DDIM CompVis", "UniPC"}) {
                SamplerSpec spec = SamplerCatalog.byName(name);
                NDArray out = spec.run().sample(new SamplerSpec.Inputs(null, eps, noise, null, alphas, 10, null, StepCallback.NONE));
                // These runs stop at timestep 1 (√(1 − ᾱ_1) ≈ 0.04 of noise left, |noise| ≤ ~4), not at σ = 0.
                assertThat(Tensors.maxAbs(out, target)).as(name).isLessThan(0.2);
            }
        }
    }

    @Test
    void uniPcAgreesWithAFineDdimSolutionOfTheSameOde() {
        DiscreteSchedule schedule = DiscreteSchedule.sdDefault();
        float[] alphas = schedule.alphasCumprod();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray noise = TorchCpuRandom.randn(m, 11, new Shape(1, 4, 4, 4));
            // A smooth non-trivial model: the clean estimate shrinks x by a t-dependent factor.
            EpsModel eps = (x, t) -> {
                double a = interpolate(alphas, t);
                NDArray x0 = x.mul((float) (0.5 * Math.sqrt(a)));
                return x.sub(x0.mul((float) Math.sqrt(a))).div((float) Math.sqrt(1 - a));
            };
            NDArray fine = TimestepSamplers.ddimA1111(eps, noise, alphas, 500, StepCallback.NONE);
            NDArray unipc = UniPc.sample(eps, noise, alphas, 20, StepCallback.NONE);
            NDArray coarseDdim = TimestepSamplers.ddimA1111(eps, noise, alphas, 20, StepCallback.NONE);
            double uniError = Tensors.maxAbs(unipc, fine);
            double ddimError = Tensors.maxAbs(coarseDdim, fine);
            // A higher-order method at 20 steps must be closer to the converged solution than first-order DDIM.
            assertThat(uniError).isLessThan(ddimError);
        }
    }

    private static double interpolate(float[] alphas, float t) {
        int low = (int) Math.floor(t);
        int high = Math.min(alphas.length - 1, low + 1);
        double w = t - low;
        return alphas[low] * (1 - w) + alphas[high] * w;
    }

    @Test
    void linearMultistepCoefficientsIntegrateExactly() {
        float[] t = {10f, 7f, 4f, 2f, 1f};
        // Order 1 is plain Euler: the whole interval length.
        assertThat(LinearMultistep.coefficient(1, t, 0, 0)).isCloseTo(-3, Offset.offset(1e-12));
        // The coefficients of any order sum to the interval length (they integrate a partition of unity).
        double sum = 0;
        for (int j = 0; j < 4; j++) {
            sum += LinearMultistep.coefficient(4, t, 3, j);
        }
        assertThat(sum).isCloseTo(-1, Offset.offset(1e-12));
    }
}

package io.sdfleet.diffusion.sampling;

import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SDXL files carry no {@code alphas_cumprod}: A1111 runs them on sgm's LegacyDDPMDiscretization, the same linear
 * 0.00085..0.012 schedule as SD 1.x, which the engine computes ({@link DiscreteSchedule#sdDefault()}).
 */
class SdxlScheduleTest {

    /** fp32 noise levels up to σ_max ≈ 14.6: relative 1e-6. */
    private static final double SIGMA_TOLERANCE = 2e-5;

    @Test
    void theComputedScheduleIsSgmsAndKDiffusions() {
        SafetensorsFile ref = Reference.tensors("sdxl/cases/schedule.safetensors");
        DiscreteSchedule schedule = DiscreteSchedule.sdDefault();
        float[] sigmas = new float[schedule.size()];
        float[] logSigmas = new float[schedule.size()];
        for (int t = 0; t < sigmas.length; t++) {
            sigmas[t] = schedule.sigma(t);
            logSigmas[t] = (float) Math.log(sigmas[t]);
        }
        double alphas = Tensors.maxAbs(schedule.alphasCumprod(), ref.get("alphas_cumprod").toFloats());
        double kdiff = Tensors.maxAbs(sigmas, ref.get("kdiff_sigmas").toFloats());
        double logs = Tensors.maxAbs(logSigmas, ref.get("kdiff_log_sigmas").toFloats());
        double sgm = Tensors.maxAbs(sigmas, ref.get("sgm_denoiser_sigmas").toFloats());
        double uniform = Tensors.maxAbs(Sigmas.uniform(schedule, 8), ref.get("sigmas_uniform_8").toFloats());
        double karras = Tensors.maxAbs(Sigmas.karras(schedule, 8), ref.get("sigmas_karras_8").toFloats());
        System.out.printf("SDXL schedule max-abs: alphas_cumprod %.3g, k-diffusion sigmas %.3g, log sigmas %.3g, "
                + "sgm denoiser sigmas %.3g, uniform 8 %.3g, karras 8 %.3g%n", alphas, kdiff, logs, sgm, uniform, karras);
        assertThat(alphas).isLessThan(1e-7);
        assertThat(kdiff).isLessThan(SIGMA_TOLERANCE);
        assertThat(logs).isLessThan(1e-5);
        assertThat(sgm).isLessThan(SIGMA_TOLERANCE);
        assertThat(uniform).isLessThan(SIGMA_TOLERANCE);
        assertThat(karras).isLessThan(SIGMA_TOLERANCE);
    }
}

package io.sdfleet.diffusion.unet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 6×6 latent (48 px) is not a multiple of 8 latents: the UNet must nearest-resize the upsampled tensor to the
 * skip's size as A1111 does. Checked on the first Euler step of the reference hires-fix run: with
 * x₁ = x₀ + (x₀ − D₀)/σ₀ · (σ₁ − σ₀), the denoised D₀ the reference used is recovered from its trace.
 */
class OddLatentSizeTest {

    @Test
    void firstEulerStepAtSixBySixMatchesTheReferenceTrace() {
        SafetensorsFile ref = Reference.tensors("features/cases/hires_A_bilinear.safetensors");
        double cfg = Reference.json("features/cases/hires_A_bilinear.json").path("cfg_scale").asDouble();
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("features/models/mini_sd1.safetensors")) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX));
            float[] acp = checkpoint.get("alphas_cumprod").toFloats();
            float[] sigmas = ref.get("sigmas_first").toFloats();
            float sigmaMax = (float) Math.sqrt((1 - acp[999]) / acp[999]);
            assertThat((double) sigmas[0]).isCloseTo(sigmaMax, Offset.offset(1e-4 * sigmaMax));
            try (NDManager call = m.newSubManager()) {
                NDArray trace = Tensors.load(ref.get("trace_x_first"), call);
                NDArray x0 = trace.get(0);
                NDArray x1 = trace.get(1);
                assertThat(x0.getShape().get(2)).isEqualTo(6);
                NDArray expected = x0.sub(x1.sub(x0).mul(sigmas[0] / (sigmas[1] - sigmas[0])));

                // CompVisDenoiser at σ_max (t = 999), CFG as one batched call on [cond, uncond]
                NDArray xIn = NDArrays.concat(new NDList(x0, x0), 0).mul((float) (1 / Math.sqrt(sigmas[0] * sigmas[0] + 1)));
                NDArray context = NDArrays.concat(new NDList(Tensors.load(ref.get("cond"), call),
                        Tensors.load(ref.get("uncond"), call)), 0);
                NDArray eps = unet.predict(xIn, call.create(new float[] {999f, 999f}), context);
                NDArray denoisedCond = x0.sub(eps.get(0).expandDims(0).mul(sigmas[0]));
                NDArray denoisedUncond = x0.sub(eps.get(1).expandDims(0).mul(sigmas[0]));
                NDArray denoised = denoisedUncond.add(denoisedCond.sub(denoisedUncond).mul((float) cfg));

                double err = Tensors.maxAbs(denoised, expected);
                double scale = expected.abs().max().getFloat();
                System.out.printf("6x6 latent Euler step 0 denoised max-abs %.3g (max|D| %.3g)%n", err, scale);
                assertThat(err).isLessThan(1e-4 * scale); // relative to max|D|, which CFG 7 makes large
            }
        }
    }
}

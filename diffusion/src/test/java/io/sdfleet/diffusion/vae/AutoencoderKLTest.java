package io.sdfleet.diffusion.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class AutoencoderKLTest {

    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"dec_a", "dec_b"})
    void decodesScaledLatentsLikeTheReference(String name) {
        SafetensorsFile ref = Reference.tensors("cases/vae.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            AutoencoderKL vae = AutoencoderKL.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(AutoencoderKL.PREFIX));
            try (NDManager call = m.newSubManager()) {
                NDArray modelLatents = Tensors.load(ref.get(name + ".latent_scaled"), call);
                NDArray decoded = vae.decode(modelLatents.div(AutoencoderKL.SD_SCALE_FACTOR));
                double err = Tensors.maxAbs(decoded, ref.get(name + ".decoded"));
                NDArray image01 = decoded.add(1).div(2).clip(0, 1);
                double imageErr = Tensors.maxAbs(image01, ref.get(name + ".image01"));
                System.out.printf("VAE %s decoded max-abs %.3g, image01 %.3g%n", name, err, imageErr);
                assertThat(err).isLessThan(TOLERANCE);
                assertThat(imageErr).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void encodesToThePosteriorAndSamplesWithSuppliedNoise() {
        SafetensorsFile ref = Reference.tensors("cases/vae.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            AutoencoderKL vae = AutoencoderKL.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(AutoencoderKL.PREFIX));
            try (NDManager call = m.newSubManager()) {
                NDArray image = Tensors.load(ref.get("enc.image_pm1"), call);
                double moments = Tensors.maxAbs(vae.encodeMoments(image), ref.get("enc.moments"));
                Posterior posterior = vae.encode(image);
                double mean = Tensors.maxAbs(posterior.mean(), ref.get("enc.mean"));
                double logvar = Tensors.maxAbs(posterior.logvar(), ref.get("enc.logvar"));
                double std = Tensors.maxAbs(posterior.std(), ref.get("enc.std"));
                NDArray sample = posterior.sample(Tensors.load(ref.get("enc.sample_noise"), call));
                double sampleErr = Tensors.maxAbs(sample, ref.get("enc.sample"));
                double scaled = Tensors.maxAbs(sample.mul(AutoencoderKL.SD_SCALE_FACTOR), ref.get("enc.sample_scaled"));
                System.out.printf("VAE encode max-abs: moments %.3g mean %.3g logvar %.3g std %.3g sample %.3g scaled %.3g%n",
                        moments, mean, logvar, std, sampleErr, scaled);
                assertThat(moments).isLessThan(TOLERANCE);
                assertThat(mean).isLessThan(TOLERANCE);
                assertThat(logvar).isLessThan(TOLERANCE);
                assertThat(std).isLessThan(TOLERANCE);
                assertThat(sampleErr).isLessThan(TOLERANCE);
                assertThat(scaled).isLessThan(TOLERANCE);
            }
        }
    }
}

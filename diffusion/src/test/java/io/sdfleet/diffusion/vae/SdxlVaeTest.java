package io.sdfleet.diffusion.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The SDXL VAE of the mini base (sgm's first_stage_model, scale factor 0.13025) against {@code sdxl/cases/vae}. */
class SdxlVaeTest {

    private static final double TOLERANCE = 1e-4;
    private static final double IMAGE_TOLERANCE = 2e-3;

    private static AutoencoderKL load(SafetensorsFile checkpoint, NDManager m) {
        return AutoencoderKL.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(AutoencoderKL.PREFIX),
                Attention.chunked(), AutoencoderKL.SDXL_SCALE_FACTOR);
    }

    @Test
    void decodesModelLatentsDividedByTheSdxlScaleFactor() {
        SafetensorsFile ref = Reference.tensors("sdxl/cases/vae.safetensors");
        assertThat(Reference.json("sdxl/cases/vae.json").path("scale_factor").floatValue())
                .isEqualTo(AutoencoderKL.SDXL_SCALE_FACTOR);
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("sdxl/models/mini_sdxl_base.safetensors")) {
            AutoencoderKL vae = load(checkpoint, m);
            assertThat(vae.scaleFactor()).isEqualTo(0.13025f);
            try (NDManager call = m.newSubManager()) {
                NDArray latent = Tensors.load(ref.get("decode_a.latent"), call);
                NDArray decoded = vae.decode(latent.div(vae.scaleFactor()));
                double err = Tensors.maxAbs(decoded, ref.get("decode_a.decoded"));
                double image = Tensors.maxAbs(decoded.add(1).div(2).clip(0, 1), ref.get("decode_a.image01"));
                System.out.printf("SDXL VAE decode max-abs: decoded %.3g, image01 %.3g%n", err, image);
                assertThat(err).isLessThan(TOLERANCE);
                assertThat(image).isLessThan(IMAGE_TOLERANCE);
            }
        }
    }

    @Test
    void encodesToThePosteriorMeanAndLogVariance() {
        SafetensorsFile ref = Reference.tensors("sdxl/cases/vae.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("sdxl/models/mini_sdxl_base.safetensors")) {
            AutoencoderKL vae = load(checkpoint, m);
            try (NDManager call = m.newSubManager()) {
                NDArray image = Tensors.load(ref.get("encode.image"), call);
                try (Posterior posterior = vae.encode(image)) {
                    double mean = Tensors.maxAbs(posterior.mean(), ref.get("encode.moments_mean"));
                    double logvar = Tensors.maxAbs(posterior.logvar(), ref.get("encode.moments_logvar"));
                    double scaled = Tensors.maxAbs(posterior.mean().mul(vae.scaleFactor()),
                            ref.get("encode.mean_times_scale_factor"));
                    System.out.printf("SDXL VAE encode max-abs: mean %.3g, logvar %.3g, mean x 0.13025 %.3g%n",
                            mean, logvar, scaled);
                    assertThat(mean).isLessThan(TOLERANCE);
                    assertThat(logvar).isLessThan(TOLERANCE);
                    assertThat(scaled).isLessThan(TOLERANCE);
                }
            }
        }
    }

    /**
     * Tiled VAE on SDXL's VAE (the SD architecture, only the scale factor differs): the tiled decode and encode of
     * model-scale latents / images several tiles wide match the plain runs within {@link TiledVaeTest}'s
     * tolerances.
     */
    @Test
    void tiledDecodeAndEncodeMatchThePlainRunsWithinTheTilingTolerances() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("sdxl/models/mini_sdxl_base.safetensors")) {
            AutoencoderKL vae = load(checkpoint, m);
            try (NDManager call = m.newSubManager()) {
                NDArray latent = TorchCpuRandom.randn(call, 11, new Shape(1, 4, 40, 36)).div(vae.scaleFactor());
                NDArray plain = vae.decode(latent);
                double fullReach = Tensors.maxAbs(vae.decode(latent, tiled(vae, new VaeTiling(16, 20, 4, 64))), plain);
                double pad8 = Tensors.maxAbs(vae.decode(latent, tiled(vae, new VaeTiling(16, 8, 4, 64))), plain);
                NDArray image = plain.clip(-1, 1);
                NDArray moments = vae.encodeMoments(image);
                double encode = Tensors.maxAbs(vae.encodeMoments(image, tiled(vae, new VaeTiling(16, 8, 4, 64))),
                        moments);
                System.out.printf("SDXL VAE tiled vs plain, exact statistics: decode pad 20 %.3g, pad 8 %.3g "
                        + "(range ±%.2f); encode pad 8 %.3g%n", fullReach, pad8, plain.abs().max().getFloat(), encode);
                assertThat(fullReach).isLessThan(TiledVaeTest.FULL_REACH_TOLERANCE);
                assertThat(pad8).isLessThan(TiledVaeTest.PAD_8_TOLERANCE);
                assertThat(encode).isLessThan(TiledVaeTest.PAD_8_TOLERANCE);
            }
        }
    }

    private static VaeSettings tiled(AutoencoderKL vae, VaeTiling tiling) {
        return new VaeSettings(PaddingMode.ZEROS, vae.attention(), tiling);
    }
}

package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.testing.Base64Images;
import io.sdfleet.diffusion.testing.ImagePlanes;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.upscale.ResizeImage;
import io.sdfleet.diffusion.upscale.Resizer;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Img2Img;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.ResizeMode;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A1111's {@code upscaler_for_img2img}: an init image smaller than the processing size goes through the upscaler in
 * {@code resize_image} (the same call the hires fix makes, so {@code restore/cases/upscale_hires_fix_path} — 48×40 to
 * 96×80 with R-ESRGAN 4x+ — is also what img2img must feed the VAE), masks stay Lanczos, and without the setting the
 * resize is Lanczos as before.
 */
class Img2ImgUpscalerReferenceTest {

    private static final int U8_TOLERANCE = 2;

    @TempDir
    Path models;

    @Test
    void aSmallInitImageIsUpscaledWithTheImg2ImgUpscalerBeforeEncoding() throws IOException {
        SafetensorsFile ref = Reference.tensors("restore/cases/upscale_hires_fix_path.safetensors");
        install("restore/models/RealESRGAN_x4plus_small.pth", "RealESRGAN/RealESRGAN_x4plus.pth");
        PixelPlanes input = ImagePlanes.hwc(ref.get("input_rgb_u8"));
        PixelPlanes expected = ImagePlanes.hwc(ref.get("output_rgb_u8"));
        Img2Img img2img = new Img2Img(List.of(Base64Images.png(input.toImage())), 0.5, ResizeMode.JUST_RESIZE, null,
                null, "R-ESRGAN 4x+");
        try (StableDiffusionModel model = MiniModel.load(); NDManager m = model.manager().newSubManager()) {
            PixelsVae vae = new PixelsVae(input);
            NDArray noise = m.zeros(new Shape(1, 4, 10, 12));
            Img2ImgLatents.prepare(m, model, vae, img2img, 1, 96, 80, noise,
                    UpscalerLibrary.under(models).open("R-ESRGAN 4x+", m));
            int err = ImagePlanes.maxDiff(vae.encoded, expected);
            Img2ImgLatents.prepare(m, model, vae, img2img, 1, 96, 80, noise, Resizer.NONE);
            int lanczos = ImagePlanes.maxDiff(vae.encoded, Resampler.resize(input, 96, 80, Resampler.Filter.LANCZOS));
            System.out.printf("img2img init 48x40 -> 96x80 with R-ESRGAN 4x+: u8 %d vs A1111 (tolerance %d)%n", err,
                    U8_TOLERANCE);
            assertThat(err).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(lanczos).as("without the setting: Lanczos").isZero();
            assertThat(ImagePlanes.maxDiff(vae.encoded, expected)).as("the model's output, not Lanczos")
                    .isGreaterThan(U8_TOLERANCE);
        }
    }

    @Test
    void aGenerationEncodesTheUpscaledInitImageAndNeedsTheUpscalersFile() throws IOException {
        install("restore/models/RealESRGAN_x4plus_small.pth", "RealESRGAN/RealESRGAN_x4plus.pth");
        PixelPlanes small = PixelPlanes.rgb(Img2ImgBehaviourTest.gradient(32, 24));
        GenerationParameters p = new GenerationParameters(new Prompt("a boat", "", 1), new ImageSize(64, 48),
                new Batch(1, 1), Noise.of(3), new Sampling("Euler", "Automatic", 10, 7))
                .withImg2Img(new Img2Img(List.of(Base64Images.png(small.toImage())), 0.0, ResizeMode.JUST_RESIZE, null,
                        null, "R-ESRGAN 4x+"));
        try (StableDiffusionModel model = MiniModel.load(); NDManager m = model.manager().newSubManager()) {
            UpscalerLibrary library = UpscalerLibrary.under(models);
            // strength 0 returns the init latent: the VAE encoding of what img2img prepared
            GenerationResult result = new ImageGeneration(model, NetworkDirectories.none(), null, library)
                    .generate(p, Optional.empty(), ProgressListener.NONE);
            PixelPlanes upscaled = ResizeImage.to(small, 64, 48,
                    library.open("R-ESRGAN 4x+", m));
            NDArray viaUpscaler = Img2ImgLatents.encode(model.vae(), upscaled.toTensor(m));
            NDArray viaLanczos = Img2ImgLatents.encode(model.vae(),
                    Resampler.resize(small, 64, 48, Resampler.Filter.LANCZOS).toTensor(m));
            double error = Tensors.maxAbs(result.latents(), viaUpscaler.toFloatArray());
            double fromLanczos = Tensors.maxAbs(result.latents(), viaLanczos.toFloatArray());
            System.out.printf("img2img with R-ESRGAN 4x+: max |latent - encoded upscale| %.2e (Lanczos's %.2e)%n",
                    error, fromLanczos);
            assertThat(error).isLessThanOrEqualTo(1e-5);
            assertThat(fromLanczos).isGreaterThan(1e-3);

            assertThatThrownBy(() -> new ImageGeneration(model, NetworkDirectories.none(), null, UpscalerLibrary.none())
                    .generate(p, Optional.empty(), ProgressListener.NONE))
                    .isInstanceOf(UpscalerLibrary.MissingUpscalerException.class)
                    .hasMessageContaining("RealESRGAN/RealESRGAN_x4plus.pth");
        }
        assertThat(p.upscalersUsed()).containsExactly("R-ESRGAN 4x+");
    }

    /** The reference model file installed in this test's models folder under A1111's name. */
    private void install(String reference, String as) throws IOException {
        Path target = models.resolve(as);
        Files.createDirectories(target.getParent());
        Files.copy(Reference.file(reference), target);
    }
}

package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.testing.ImagePlanes;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.upscale.ResizeImage;
import io.sdfleet.diffusion.upscale.Resizer;
import io.sdfleet.diffusion.upscale.Upscaler;
import io.sdfleet.diffusion.upscale.UpscalerLibrary;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.diffusion.vae.Posterior;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import io.sdfleet.request.UpscalerNames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hires fix with a model upscaler against A1111 v1.10 ({@code restore/cases/upscale_hires_fix_path}):
 * {@code hr_upscaler: "R-ESRGAN 4x+"} found as {@code models/RealESRGAN/RealESRGAN_x4plus.pth} (the case's small
 * Real-ESRGAN file installed under that name), and the engine's hires step — decode, 8 bits, resize_image with the
 * upscaler (one black-padded 192 tile, 4×, Lanczos to 96×80), encode — run on a VAE stand-in that decodes to the
 * case's 48×40 input and records what it is asked to encode.
 */
class HiresFixModelUpscalerReferenceTest {

    private static final int U8_TOLERANCE = 2;

    @TempDir
    Path models;

    @Test
    void theHiresStepUpscalesTheDecodedImageWithRealEsrganAsA1111() throws IOException {
        SafetensorsFile ref = Reference.tensors("restore/cases/upscale_hires_fix_path.safetensors");
        install("restore/models/RealESRGAN_x4plus_small.pth", "RealESRGAN/RealESRGAN_x4plus.pth");
        PixelPlanes input = ImagePlanes.hwc(ref.get("input_rgb_u8"));
        HiresFix fix = new HiresFix(2.0, 0, 0, "R-ESRGAN 4x+", 0, 0.5, null, null, null, null);
        assertThat(fix.targetSize(48, 40)).containsExactly(96, 80);
        HiresPlan plan = new HiresPlan(fix, 12, 10, 12, 10, null, null);
        UpscalerLibrary library = UpscalerLibrary.under(models);
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Upscaler upscaler = library.open(fix.upscaler(), m);
            assertThat(upscaler.displayName()).isEqualTo("R-ESRGAN 4x+");
            PixelsVae vae = new PixelsVae(input);
            NDArray latents = m.zeros(new Shape(1, 4, 5, 6));
            NDArray up = HiresPlan.upscale(vae, plan, latents, upscaler);
            assertThat(up.getShape()).isEqualTo(new Shape(1, 4, 10, 12));
            int err = ImagePlanes.maxDiff(vae.encoded, ImagePlanes.hwc(ref.get("output_rgb_u8")));
            int direct = ImagePlanes.maxDiff(ResizeImage.to(input, 96, 80, upscaler), ImagePlanes.hwc(ref.get("output_rgb_u8")));
            System.out.printf("hires fix with R-ESRGAN 4x+: encoded image u8 %d, resize_image u8 %d (tolerance %d)%n",
                    err, direct, U8_TOLERANCE);
            assertThat(err).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(direct).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(ImagePlanes.maxDiff(vae.encoded, Resampler.resize(input, 96, 80, Resampler.Filter.LANCZOS)))
                    .as("the model's output, not a plain resize").isGreaterThan(U8_TOLERANCE);
        }
    }

    @Test
    void aGenerationRunsItsHiresFixWithAModelUpscalerFromTheLibrary() throws IOException {
        install("restore/models/RealESRGAN_x4plus_small.pth", "RealESRGAN/RealESRGAN_x4plus.pth");
        GenerationParameters p = new GenerationParameters(new Prompt("a red house", "", 1), new ImageSize(64, 48),
                new Batch(1, 1), Noise.of(3), new Sampling("Euler", "Automatic", 2, 7))
                .withHires(new HiresFix(2.0, 0, 0, "R-ESRGAN 4x+", 1, 0.5, null, null, null, null));
        try (StableDiffusionModel model = MiniModel.load()) {
            GenerationResult result = new ImageGeneration(model, NetworkDirectories.none(), null,
                    UpscalerLibrary.under(models)).generate(p, Optional.empty(), ProgressListener.NONE);
            assertThat(result.images().getFirst().image().getWidth()).isEqualTo(128);
            assertThat(result.images().getFirst().image().getHeight()).isEqualTo(96);
            assertThat(result.images().getFirst().infotext()).contains("Hires upscaler: R-ESRGAN 4x+");

            // a missing upscaler fails the run before any sampling, naming the file
            int[] steps = {0};
            ProgressListener counting = new ProgressListener() {
                @Override
                public void onStep(int step, int total, double elapsedSeconds) {
                    steps[0]++;
                }
            };
            assertThatThrownBy(() -> new ImageGeneration(model, NetworkDirectories.none(), null,
                    UpscalerLibrary.none()).generate(p, Optional.empty(), counting))
                    .isInstanceOf(UpscalerLibrary.MissingUpscalerException.class)
                    .hasMessageContaining("RealESRGAN/RealESRGAN_x4plus.pth");
            assertThat(steps[0]).isZero();
        }
    }

    @Test
    void esrganUpscalersAreNamedAfterTheirFilesInAnyFolderBelowEsrgan() throws IOException {
        Path file = install("restore/models/4x-small-oldarch.pth", "ESRGAN/sharp/4x-UltraSharp.pth");
        install("restore/models/RealESRGAN_x4plus_small.pth", "RealESRGAN/not-a-released-name.pth");
        UpscalerLibrary library = UpscalerLibrary.under(models);
        assertThat(library.models(UpscalerNames.Family.ESRGAN)).containsOnlyKeys("4x-UltraSharp");
        assertThat(library.models(UpscalerNames.Family.REAL_ESRGAN)).isEmpty();
        assertThat(library.file("4x-UltraSharp")).contains(file);
        try (NDManager m = Torch.newManager(Device.cpu())) {
            PixelPlanes small = PixelPlanes.filled(8, 8, 3, 100);
            assertThat(library.open("4x-UltraSharp", m).pass(small, 4).width()).isEqualTo(32);
        }
    }

    @Test
    void aMissingUpscalerFileIsAnErrorNamingTheFile() {
        UpscalerLibrary library = UpscalerLibrary.under(models);
        assertThatThrownBy(() -> library.file("R-ESRGAN 4x+"))
                .isInstanceOf(UpscalerLibrary.MissingUpscalerException.class)
                .hasMessageContaining("RealESRGAN/RealESRGAN_x4plus.pth")
                .hasMessageContaining(models.resolve("RealESRGAN").toString());
        assertThatThrownBy(() -> UpscalerLibrary.none().file("ESRGAN_4x"))
                .hasMessageContaining("ESRGAN/ESRGAN_4x.pth");
        assertThat(library.file("Lanczos")).isEmpty();
        assertThat(library.file("Latent")).isEmpty();
    }

    @Test
    void theBuiltInsResizeAsA1111sResizeImage() {
        PixelPlanes input = PixelPlanes.filled(48, 40, 3, 0);
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 48; x++) {
                input.channels()[0][y][x] = (x * 5 + y * 3) % 256;
                input.channels()[1][y][x] = (x * y) % 256;
                input.channels()[2][y][x] = x % 2 == 0 ? 255 : 0;
            }
        }
        PixelPlanes lanczos = Resampler.resize(input, 96, 80, Resampler.Filter.LANCZOS);
        assertThat(ImagePlanes.maxDiff(ResizeImage.to(input, 96, 80, Resizer.NONE), lanczos)).isZero();
        assertThat(ImagePlanes.maxDiff(ResizeImage.to(input, 96, 80, Resizer.LANCZOS), lanczos)).isZero();
        assertThat(ImagePlanes.maxDiff(ResizeImage.to(input, 96, 80, Resizer.NEAREST),
                Resampler.resize(input, 96, 80, Resampler.Filter.NEAREST))).isZero();
        // 1.5×: Nearest to int(W·1.5) = 72 × 60, then Lanczos to the multiple of 8 the upscale ends on (72 × 56),
        // then Lanczos to the target: not one nearest resize
        PixelPlanes nearest = ResizeImage.to(input, 72, 60, Resizer.NEAREST);
        assertThat(nearest.width()).isEqualTo(72);
        assertThat(nearest.height()).isEqualTo(60);
        assertThat(ImagePlanes.maxDiff(nearest, Resampler.resize(input, 72, 60, Resampler.Filter.NEAREST))).isPositive();
    }

    /** The reference model file installed in this test's models folder under A1111's name. */
    private Path install(String reference, String as) throws IOException {
        Path target = models.resolve(as);
        Files.createDirectories(target.getParent());
        Files.copy(Reference.file(reference), target);
        return target;
    }

}

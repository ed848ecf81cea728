package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.ImageFit;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.testing.Base64Images;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Img2Img;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.ResizeMode;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties that would break if img2img or tiling were wrong, where no reference case covers them. */
class Img2ImgBehaviourTest {

    @Test
    void strengthZeroReturnsTheInitImagesVaeRoundTrip() {
        try (StableDiffusionModel model = MiniModel.load(); NDManager m = model.manager().newSubManager()) {
            BufferedImage init = gradient(64, 48);
            GenerationParameters p = new GenerationParameters(new Prompt("a boat", "", 1),
                    new ImageSize(64, 48), new Batch(1, 1), Noise.of(3),
                    new Sampling("Euler", "Automatic", 10, 7))
                    .withImg2Img(new Img2Img(List.of(Base64Images.png(init)), 0.0, ResizeMode.JUST_RESIZE, null, null));
            GenerationResult result = new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);

            NDArray latent = Img2ImgLatents.encode(model.vae(), PixelPlanes.rgb(init).toTensor(m));
            double error = Tensors.maxAbs(result.latents(), latent.toFloatArray());
            System.out.printf("strength 0: max |latent - VAE round trip| %.2e%n", error);
            assertThat(error).isLessThanOrEqualTo(1e-5);
        }
    }

    @Test
    void resizeModesFitAnyInitImage() {
        PixelPlanes wide = PixelPlanes.rgb(gradient(96, 32));
        for (ResizeMode mode : ResizeMode.values()) {
            PixelPlanes fitted = ImageFit.apply(mode, wide, 64, 64);
            assertThat(fitted.width()).as(mode.name()).isEqualTo(64);
            assertThat(fitted.height()).as(mode.name()).isEqualTo(64);
        }
        // Resize and fill keeps the whole image: its left and right edges survive; crop and resize cuts them off.
        PixelPlanes filled = ImageFit.apply(ResizeMode.RESIZE_AND_FILL, wide, 64, 64);
        PixelPlanes cropped = ImageFit.apply(ResizeMode.CROP_AND_RESIZE, wide, 64, 64);
        assertThat(filled.channels()[0][32][0]).isLessThan(cropped.channels()[0][32][0]);
    }

    @Test
    void tiledImagesWrapAroundSeamlessly() {
        try (StableDiffusionModel model = MiniModel.load()) {
            GenerationParameters base = new GenerationParameters(new Prompt("a brick wall", "", 1),
                    new ImageSize(64, 64), new Batch(1, 1), Noise.of(11),
                    new Sampling("Euler", "Automatic", 4, 7));
            BufferedImage tiled = new ImageGeneration(model).generate(base.withTiling(true), Optional.empty(), ProgressListener.NONE)
                    .images().get(0).image();
            BufferedImage plain = new ImageGeneration(model).generate(base, Optional.empty(), ProgressListener.NONE)
                    .images().get(0).image();
            // Across the wrap-around seam (last column → first column) a tiled image changes no more than between
            // neighbouring columns inside it; an untiled one has an edge there.
            assertThat(seamToInteriorRatio(tiled)).isLessThan(1.5);
            assertThat(seamToInteriorRatio(plain)).isGreaterThan(seamToInteriorRatio(tiled));
        }
    }

    private static double seamToInteriorRatio(BufferedImage image) {
        PixelPlanes p = PixelPlanes.rgb(image);
        int w = p.width();
        double seam = columnDifference(p, w - 1, 0);
        double interior = 0;
        for (int x = 0; x + 1 < w; x++) {
            interior += columnDifference(p, x, x + 1);
        }
        return seam / (interior / (w - 1));
    }

    private static double columnDifference(PixelPlanes p, int a, int b) {
        double sum = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < p.height(); y++) {
                sum += Math.abs(p.channels()[c][y][a] - p.channels()[c][y][b]);
            }
        }
        return sum;
    }

    static BufferedImage gradient(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | 128);
            }
        }
        return image;
    }
}

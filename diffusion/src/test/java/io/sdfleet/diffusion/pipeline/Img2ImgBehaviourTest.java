package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.ResizeMode;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.diffusion.testing.Tensors;
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
            GenerationParameters p = new GenerationParameters("a boat", "", "Euler", "Automatic", 10, 7, 3, 64, 48, 1, 1)
                    .withImg2Img(new Img2ImgInput(List.of(init), 0.0, ResizeMode.JUST_RESIZE, Optional.empty(), null));
            GenerationResult result = new Txt2Img(model).generate(p, Optional.empty(), ProgressListener.NONE);

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
            PixelPlanes fitted = mode.apply(wide, 64, 64);
            assertThat(fitted.width()).as(mode.name()).isEqualTo(64);
            assertThat(fitted.height()).as(mode.name()).isEqualTo(64);
        }
        // Resize and fill keeps the whole image: its left and right edges survive; crop and resize cuts them off.
        PixelPlanes filled = ResizeMode.RESIZE_AND_FILL.apply(wide, 64, 64);
        PixelPlanes cropped = ResizeMode.CROP_AND_RESIZE.apply(wide, 64, 64);
        assertThat(filled.channels()[0][32][0]).isLessThan(cropped.channels()[0][32][0]);
    }

    @Test
    void tiledImagesWrapAroundSeamlessly() {
        try (StableDiffusionModel model = MiniModel.load()) {
            GenerationParameters base = new GenerationParameters("a brick wall", "", "Euler", "Automatic", 4, 7, 11,
                    64, 64, 1, 1);
            BufferedImage tiled = new Txt2Img(model).generate(base.withTiling(true), Optional.empty(), ProgressListener.NONE)
                    .images().get(0).image();
            BufferedImage plain = new Txt2Img(model).generate(base, Optional.empty(), ProgressListener.NONE)
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

    private static BufferedImage gradient(int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | 128);
            }
        }
        return image;
    }
}

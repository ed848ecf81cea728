package io.sdfleet.diffusion.inpaint;

import io.sdfleet.diffusion.image.ImageFit;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.request.ResizeMode;

import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * A1111's {@code apply_overlay}: the generated image (scaled into its crop region for "inpaint only masked") with
 * the original laid over it wherever the mask says keep — alpha = 255 − mask — so unmasked pixels come back exactly.
 *
 * @param original the image the mask refers to, at the mask's size
 * @param mask     255 = generated shows through
 * @param pasteTo  where the generated image goes, for "inpaint only masked"
 * @param resize   how the generated image is scaled into its crop region (the img2img upscaler, as in A1111)
 */
public record Overlay(PixelPlanes original, int[][] mask, Optional<CropRegion> pasteTo, ImageFit.Resize resize) {

    public BufferedImage apply(BufferedImage generated) {
        PixelPlanes base = PixelPlanes.rgb(generated);
        int w = original.width();
        int h = original.height();
        int[][][] canvas = new int[3][h][w];
        int offsetX = 0;
        int offsetY = 0;
        if (pasteTo.isPresent()) {
            CropRegion r = pasteTo.get();
            base = ImageFit.apply(ResizeMode.CROP_AND_RESIZE, base, r.width(), r.height(), resize);
            offsetX = r.x1();
            offsetY = r.y1();
        }
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int by = y - offsetY;
                    int bx = x - offsetX;
                    boolean inside = by >= 0 && bx >= 0 && by < base.height() && bx < base.width();
                    int generatedValue = inside ? base.channels()[c][by][bx] : original.channels()[c][y][x];
                    int keep = 255 - mask[y][x];
                    canvas[c][y][x] = (original.channels()[c][y][x] * keep + generatedValue * (255 - keep) + 127) / 255;
                }
            }
        }
        return new PixelPlanes(canvas).toImage();
    }
}

package io.sdfleet.diffusion.inpaint;

import io.sdfleet.diffusion.image.ImageFit;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.request.InpaintingFill;
import io.sdfleet.request.MaskOptions;
import io.sdfleet.request.ResizeMode;

import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * An img2img init image made ready the way A1111's {@code StableDiffusionProcessingImg2Img.init} does it: resized to
 * the processing size (or, for "inpaint only masked", cropped around the mask first), and with a mask: the mask
 * binarised, inverted if asked, blurred, resized; the masked area filled; and the overlay kept that pastes the
 * original back outside the mask at the end.
 *
 * @param image      what the VAE encodes, width × height
 * @param latentMask 255 = repaint, width × height; empty without a mask
 * @param overlay    puts the original back around the generated pixels; empty without a mask
 */
public record PreparedInit(PixelPlanes image, Optional<int[][]> latentMask, Optional<Overlay> overlay) {

    /** Pillow's default background for flattening transparent init images in A1111 ({@code #ffffff}). */
    private static final int BACKGROUND = 255;

    /** The same with A1111's default img2img upscaler (None: Lanczos). */
    public static PreparedInit of(BufferedImage init, MaskOptions options, BufferedImage maskImage,
                                  ResizeMode resizeMode, int width, int height) {
        return of(init, options, maskImage, resizeMode, width, height, ImageFit.Resize.LANCZOS);
    }

    /**
     * @param maskImage the decoded {@code options.mask()}; both null for plain img2img
     * @param resize    how the image (never the mask, which A1111 resizes with Lanczos) is brought to size: the
     *                  img2img upscaler
     */
    public static PreparedInit of(BufferedImage init, MaskOptions options, BufferedImage maskImage,
                                  ResizeMode resizeMode, int width, int height, ImageFit.Resize resize) {
        PixelPlanes original = flatten(init);
        if (options == null) {
            return new PreparedInit(ImageFit.apply(resizeMode, original, width, height, resize), Optional.empty(),
                    Optional.empty());
        }
        int[][] mask = binary(maskImage);
        if (options.invert()) {
            for (int[] row : mask) {
                for (int x = 0; x < row.length; x++) {
                    row[x] = 255 - row[x];
                }
            }
        }
        mask = MaskBlur.blur(mask, options.maskBlur(), options.maskBlur());
        PixelPlanes image;
        int[][] imageMask;
        Overlay overlay;
        if (options.fullResolution()) {
            CropRegion crop = CropRegion.around(mask, options.fullResolutionPadding())
                    .expandedTo(width, height, mask[0].length, mask.length);
            imageMask = ImageFit.apply(ResizeMode.RESIZE_AND_FILL, new PixelPlanes(new int[][][] {crop(mask, crop)}),
                    width, height).channels()[0];
            PixelPlanes full = original.width() == mask[0].length && original.height() == mask.length
                    ? original : Resampler.resize(original, mask[0].length, mask.length, Resampler.Filter.LANCZOS);
            image = ImageFit.apply(ResizeMode.RESIZE_AND_FILL, cropPlanes(full, crop), width, height, resize);
            overlay = new Overlay(full, mask, Optional.of(crop), resize);
        } else {
            imageMask = ImageFit.apply(resizeMode, new PixelPlanes(new int[][][] {mask}), width, height).channels()[0];
            image = ImageFit.apply(resizeMode, original, width, height, resize);
            overlay = new Overlay(image, doubled(imageMask), Optional.empty(), resize);
        }
        if (options.fill() != InpaintingFill.ORIGINAL) {
            image = InpaintFill.fill(image, imageMask);
        }
        return new PreparedInit(image, Optional.of(imageMask), Optional.of(overlay));
    }

    /** A1111's {@code create_binary_mask}: the alpha channel of a transparent mask, else luminance; > 128 → 255. */
    static int[][] binary(BufferedImage maskImage) {
        int w = maskImage.getWidth();
        int h = maskImage.getHeight();
        boolean useAlpha = maskImage.getColorModel().hasAlpha() && !fullyOpaque(maskImage);
        int[][] plane = useAlpha ? alpha(maskImage) : PixelPlanes.luminance(maskImage).channels()[0];
        int[][] out = new int[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out[y][x] = plane[y][x] > 128 ? 255 : 0;
            }
        }
        return out;
    }

    private static boolean fullyOpaque(BufferedImage image) {
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) >>> 24) != 255) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int[][] alpha(BufferedImage image) {
        int[][] out = new int[image.getHeight()][image.getWidth()];
        for (int y = 0; y < out.length; y++) {
            for (int x = 0; x < out[0].length; x++) {
                out[y][x] = image.getRGB(x, y) >>> 24;
            }
        }
        return out;
    }

    /** Transparent pixels composited onto white, as A1111's {@code images.flatten}. */
    private static PixelPlanes flatten(BufferedImage image) {
        PixelPlanes rgb = PixelPlanes.rgb(image);
        if (!image.getColorModel().hasAlpha()) {
            return rgb;
        }
        int[][] alpha = alpha(image);
        for (int[][] plane : rgb.channels()) {
            for (int y = 0; y < plane.length; y++) {
                for (int x = 0; x < plane[0].length; x++) {
                    int a = alpha[y][x];
                    plane[y][x] = (plane[y][x] * a + BACKGROUND * (255 - a) + 127) / 255;
                }
            }
        }
        return rgb;
    }

    /** The overlay's mask: A1111 doubles the resized mask so that blur edges lean towards the generated pixels. */
    private static int[][] doubled(int[][] mask) {
        int[][] out = new int[mask.length][mask[0].length];
        for (int y = 0; y < mask.length; y++) {
            for (int x = 0; x < mask[0].length; x++) {
                out[y][x] = Math.min(255, mask[y][x] * 2);
            }
        }
        return out;
    }

    private static int[][] crop(int[][] plane, CropRegion r) {
        int[][] out = new int[r.height()][r.width()];
        for (int y = 0; y < r.height(); y++) {
            System.arraycopy(plane[r.y1() + y], r.x1(), out[y], 0, r.width());
        }
        return out;
    }

    private static PixelPlanes cropPlanes(PixelPlanes planes, CropRegion r) {
        int[][][] out = new int[planes.channels().length][][];
        for (int c = 0; c < out.length; c++) {
            out[c] = crop(planes.channels()[c], r);
        }
        return new PixelPlanes(out);
    }
}

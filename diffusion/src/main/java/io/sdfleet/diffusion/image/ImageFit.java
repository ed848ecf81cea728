package io.sdfleet.diffusion.image;

import io.sdfleet.request.ResizeMode;

/**
 * A1111's {@code images.resize_image}: an init image or mask of any size fitted to width × height by the request's
 * resize mode. Every resize inside goes through a {@link Resize}: Lanczos, as A1111 does for masks and when no
 * upscaler is named, or the img2img upscaler (A1111's {@code upscaler_for_img2img}) for images.
 */
public final class ImageFit {

    /** How the fit resizes the whole image to an intermediate or final size. */
    @FunctionalInterface
    public interface Resize {

        /** Pillow's Lanczos, A1111's resize when no upscaler applies. */
        Resize LANCZOS = (image, width, height) -> Resampler.resize(image, width, height, Resampler.Filter.LANCZOS);

        PixelPlanes to(PixelPlanes image, int width, int height);
    }

    private ImageFit() {
    }

    public static PixelPlanes apply(ResizeMode mode, PixelPlanes image, int width, int height) {
        return apply(mode, image, width, height, Resize.LANCZOS);
    }

    public static PixelPlanes apply(ResizeMode mode, PixelPlanes image, int width, int height, Resize resize) {
        if (image.width() == width && image.height() == height) {
            return image;
        }
        if (mode == ResizeMode.JUST_RESIZE) {
            return resize.to(image, width, height);
        }
        double ratio = (double) width / height;
        double sourceRatio = (double) image.width() / image.height();
        boolean widthBound = mode == ResizeMode.CROP_AND_RESIZE ? ratio > sourceRatio : ratio < sourceRatio;
        int scaledW = widthBound ? width : image.width() * height / image.height();
        int scaledH = widthBound ? image.height() * width / image.width() : height;
        if (mode == ResizeMode.CROP_AND_RESIZE && ratio == sourceRatio) {
            scaledW = width;
            scaledH = height;
        }
        PixelPlanes scaled = resize.to(image, scaledW, scaledH);
        int offsetX = width / 2 - scaledW / 2;
        int offsetY = height / 2 - scaledH / 2;
        int[][][] out = new int[image.channels().length][height][width];
        for (int c = 0; c < out.length; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    // Outside the scaled image: crop mode never gets here; fill mode repeats the nearest edge pixel.
                    int sy = Math.min(scaledH - 1, Math.max(0, y - offsetY));
                    int sx = Math.min(scaledW - 1, Math.max(0, x - offsetX));
                    out[c][y][x] = scaled.channels()[c][sy][sx];
                }
            }
        }
        return new PixelPlanes(out);
    }
}

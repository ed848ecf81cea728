package io.sdfleet.diffusion.image;

/**
 * A1111's img2img resize modes ({@code images.resize_image}), which fit an init image or mask of any size to the
 * requested width × height. Images are resized with Lanczos, as A1111 does when no upscaler is named.
 */
public enum ResizeMode {
    /** Stretch to the target size, ignoring the aspect ratio. */
    JUST_RESIZE,
    /** Scale to cover the target, centre, and crop what sticks out. */
    CROP_AND_RESIZE,
    /** Scale to fit inside the target, centre, and fill the bars by stretching the image's edge rows or columns. */
    RESIZE_AND_FILL;

    /** A1111's {@code resize_mode} number (0, 1, 2). */
    public static ResizeMode ofIndex(int index) {
        if (index < 0 || index > 2) {
            throw new IllegalArgumentException("resize_mode must be 0 (just resize), 1 (crop and resize) or 2 (resize and fill), got " + index);
        }
        return values()[index];
    }

    public PixelPlanes apply(PixelPlanes image, int width, int height) {
        if (image.width() == width && image.height() == height) {
            return image;
        }
        Resampler.Filter lanczos = Resampler.Filter.LANCZOS;
        if (this == JUST_RESIZE) {
            return Resampler.resize(image, width, height, lanczos);
        }
        double ratio = (double) width / height;
        double sourceRatio = (double) image.width() / image.height();
        boolean widthBound = this == CROP_AND_RESIZE ? ratio > sourceRatio : ratio < sourceRatio;
        int scaledW = widthBound ? width : image.width() * height / image.height();
        int scaledH = widthBound ? image.height() * width / image.width() : height;
        if (this == CROP_AND_RESIZE && ratio == sourceRatio) {
            scaledW = width;
            scaledH = height;
        }
        PixelPlanes scaled = Resampler.resize(image, scaledW, scaledH, lanczos);
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

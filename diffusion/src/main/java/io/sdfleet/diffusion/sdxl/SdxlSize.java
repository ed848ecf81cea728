package io.sdfleet.diffusion.sdxl;

/**
 * sgm's size conditioning, in pixels: {@code original_size_as_tuple}, {@code crop_coords_top_left} and
 * {@code target_size_as_tuple}, each (height, width) / (top, left) as sgm orders them.
 */
public record SdxlSize(int originalHeight, int originalWidth, int cropTop, int cropLeft, int targetHeight,
                       int targetWidth) {

    /** A1111's choice: original = target = the requested image size, no crop. */
    public static SdxlSize forImage(int width, int height) {
        return new SdxlSize(height, width, 0, 0, height, width);
    }

    /** The same sizes with A1111's {@code sdxl_crop_top} / {@code sdxl_crop_left}. */
    public SdxlSize withCrop(int top, int left) {
        return new SdxlSize(originalHeight, originalWidth, top, left, targetHeight, targetWidth);
    }
}

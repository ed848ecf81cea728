package io.sdfleet.request;

/**
 * A1111's img2img resize modes ({@code images.resize_image}), which fit an init image or mask of any size to the
 * requested width × height.
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
}

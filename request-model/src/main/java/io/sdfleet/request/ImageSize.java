package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;

/**
 * Width and height of the first pass, in pixels: multiples of 8, since the latent is an eighth of the image; and the
 * crop SDXL is told the image was taken at (A1111's settings {@code sdxl_crop_top} / {@code sdxl_crop_left}, 0 by
 * default; other models ignore them).
 */
public record ImageSize(int width, int height, Integer sdxlCropTop, Integer sdxlCropLeft) {

    /** The largest side the engine makes, also for the hires target and "resize seed from". */
    public static final int MAX_SIDE = 4096;

    /** Stored requests and messages from before the crop existed read as uncropped (boxed: JSON null is absent). */
    public ImageSize {
        sdxlCropTop = sdxlCropTop == null ? 0 : sdxlCropTop;
        sdxlCropLeft = sdxlCropLeft == null ? 0 : sdxlCropLeft;
    }

    /** Uncropped (A1111's default crop 0, 0). */
    public ImageSize(int width, int height) {
        this(width, height, 0, 0);
    }

    /** The same crop at another size. */
    public ImageSize withSides(int newWidth, int newHeight) {
        return new ImageSize(newWidth, newHeight, sdxlCropTop, sdxlCropLeft);
    }

    List<String> problems() {
        List<String> problems = new ArrayList<>();
        side("width", width, problems);
        side("height", height, problems);
        if (sdxlCropTop < 0 || sdxlCropLeft < 0 || sdxlCropTop > MAX_SIDE || sdxlCropLeft > MAX_SIDE) {
            problems.add("sdxl_crop_top and sdxl_crop_left must be between 0 and " + MAX_SIDE);
        }
        return problems;
    }

    private static void side(String name, int value, List<String> problems) {
        if (value < 8 || value > MAX_SIDE || value % 8 != 0) {
            problems.add(name + " must be a multiple of 8 between 8 and " + MAX_SIDE + ", got " + value);
        }
    }
}

package io.sdfleet.diffusion.upscale;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;

/**
 * A1111's {@code images.resize_image} with resize mode 0 ("just resize") and an upscaler, as the hires fix calls it on
 * each decoded first-pass image: with "None" a plain Lanczos resize to the target; otherwise, when the target is
 * larger ({@code scale = max(tw / W, th / H) > 1}), the upscaler's {@link Upscaler#upscale} by that scale, and then a
 * Lanczos resize to the target if the size still differs (the upscale ends on a multiple of 8, and one side may have
 * grown by less than the scale).
 */
public final class ResizeImage {

    private ResizeImage() {
    }

    public static PixelPlanes to(PixelPlanes image, int width, int height, Upscaler upscaler) {
        if (upscaler == Resizer.NONE) {
            return Resampler.resize(image, width, height, Resampler.Filter.LANCZOS);
        }
        PixelPlanes img = image;
        double scale = Math.max((double) width / img.width(), (double) height / img.height());
        if (scale > 1.0) {
            img = upscaler.upscale(img, scale);
        }
        if (img.width() != width || img.height() != height) {
            img = Resampler.resize(img, width, height, Resampler.Filter.LANCZOS);
        }
        return img;
    }
}

package io.sdfleet.diffusion.upscale;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;

/**
 * An upscaler as A1111's {@code Upscaler} runs one: {@link #upscale} calls {@link #pass} until the image reaches the
 * destination (the scaled size rounded down to a multiple of 8), at most three times and stopping when a pass does
 * not grow it, then resizes to the destination with Lanczos if it is not there exactly.
 */
public interface Upscaler {

    int MAX_PASSES = 3;

    /** The name A1111 lists it under ({@code /sdapi/v1/upscalers}, {@code hr_upscaler}, {@code upscaler_1}). */
    String displayName();

    /** One pass ({@code do_upscale}); {@code scale} is the whole upscale's factor, which simple resizers use. */
    PixelPlanes pass(PixelPlanes image, double scale);

    default PixelPlanes upscale(PixelPlanes image, double scale) {
        int destW = (int) (Math.floor(image.width() * scale / 8) * 8);
        int destH = (int) (Math.floor(image.height() * scale / 8) * 8);
        PixelPlanes img = image;
        for (int i = 0; i < MAX_PASSES; i++) {
            if (img.width() >= destW && img.height() >= destH && (i > 0 || scale != 1)) {
                break;
            }
            int w = img.width();
            int h = img.height();
            img = pass(img, scale);
            if (img.width() == w && img.height() == h) {
                break;
            }
        }
        if (img.width() != destW || img.height() != destH) {
            img = Resampler.resize(img, destW, destH, Resampler.Filter.LANCZOS);
        }
        return img;
    }
}

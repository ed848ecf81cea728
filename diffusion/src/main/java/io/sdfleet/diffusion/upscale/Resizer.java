package io.sdfleet.diffusion.upscale;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;

/**
 * A1111's model-free upscalers: "None" (a pass leaves the image as it is, so only the final Lanczos resize to the
 * destination happens), "Lanczos" and "Nearest" (a pass resizes to int(W·scale) × int(H·scale) with that filter).
 */
public enum Resizer implements Upscaler {
    NONE("None", null),
    LANCZOS("Lanczos", Resampler.Filter.LANCZOS),
    NEAREST("Nearest", Resampler.Filter.NEAREST);

    private final String displayName;
    private final Resampler.Filter filter;

    Resizer(String displayName, Resampler.Filter filter) {
        this.displayName = displayName;
        this.filter = filter;
    }

    @Override
    public String displayName() {
        return displayName;
    }

    @Override
    public PixelPlanes pass(PixelPlanes image, double scale) {
        if (filter == null) {
            return image;
        }
        return Resampler.resize(image, (int) (image.width() * scale), (int) (image.height() * scale), filter);
    }
}

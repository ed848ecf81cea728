package io.sdfleet.request;

/**
 * An inpainting mask with A1111's options: {@code mask} a base64 image (PNG once the gateway accepted it), white
 * (255) = repaint; {@code maskBlur} in pixels; {@code fill}; {@code fullResolution} ("inpaint only masked": work on
 * the padded crop around the mask at full size); {@code invert} (repaint the black part instead).
 */
public record MaskOptions(String mask, int maskBlur, InpaintingFill fill, boolean fullResolution,
                          int fullResolutionPadding, boolean invert) {

    public MaskOptions {
        if (mask == null) {
            throw new IllegalArgumentException("mask image is required");
        }
        if (maskBlur < 0 || maskBlur > 64) {
            throw new IllegalArgumentException("mask_blur must be between 0 and 64, got " + maskBlur);
        }
        if (fullResolutionPadding < 0 || fullResolutionPadding > 256) {
            throw new IllegalArgumentException("inpaint_full_res_padding must be between 0 and 256, got " + fullResolutionPadding);
        }
        fill = fill == null ? InpaintingFill.ORIGINAL : fill;
    }
}

package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What img2img adds to a generation, with A1111's names: init images (base64 PNG as the gateway parsed them, then
 * {@link InputImage} references to storage once accepted), {@code denoising_strength}, {@code resize_mode},
 * an inpainting mask (null for plain img2img), {@code image_cfg_scale} (only instruct-pix2pix models use it;
 * recorded, as A1111 does for other models), and the upscaler that brings a smaller init image up to size (A1111's
 * setting {@code upscaler_for_img2img}; null: "None", a plain Lanczos resize).
 */
public record Img2Img(List<String> initImages, double denoisingStrength, ResizeMode resizeMode, MaskOptions mask,
                      Double imageCfgScale, String upscaler) {

    /** Without an img2img upscaler (A1111's default). */
    public Img2Img(List<String> initImages, double denoisingStrength, ResizeMode resizeMode, MaskOptions mask,
                   Double imageCfgScale) {
        this(initImages, denoisingStrength, resizeMode, mask, imageCfgScale, null);
    }

    public Img2Img {
        if (initImages == null || initImages.isEmpty()) {
            throw new IllegalArgumentException("init_images must hold at least one image");
        }
        if (!(denoisingStrength >= 0 && denoisingStrength <= 1)) {
            throw new IllegalArgumentException("denoising_strength must be between 0 and 1, got " + denoisingStrength);
        }
        initImages = List.copyOf(initImages);
        resizeMode = resizeMode == null ? ResizeMode.JUST_RESIZE : resizeMode;
        upscaler = upscaler == null || upscaler.isBlank() || upscaler.trim().equals("None") ? null : upscaler.trim();
        if (upscaler != null && HiresFix.LATENT_UPSCALERS.contains(upscaler)) {
            throw new IllegalArgumentException("upscaler_for_img2img must be a pixel upscaler, got " + upscaler);
        }
    }

    /** Image k starts from init image k mod n, as in A1111. */
    public String initImageFor(int k) {
        return initImages.get(k % initImages.size());
    }

    /** The same with each init image and the mask passed through {@code convert} (to references, or back to bytes). */
    public Img2Img withImages(UnaryOperator<String> convert) {
        MaskOptions m = mask == null ? null : new MaskOptions(convert.apply(mask.mask()), mask.maskBlur(), mask.fill(),
                mask.fullResolution(), mask.fullResolutionPadding(), mask.invert());
        return new Img2Img(initImages.stream().map(convert).toList(), denoisingStrength, resizeMode, m, imageCfgScale,
                upscaler);
    }

    /** The init images of images {@code first} to {@code first + count − 1}, as a batch that starts there needs them. */
    public Img2Img fromImage(int first, int count) {
        List<String> images = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            images.add(initImageFor(first + k));
        }
        return new Img2Img(images, denoisingStrength, resizeMode, mask, imageCfgScale, upscaler);
    }
}

package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.image.ResizeMode;
import io.sdfleet.diffusion.inpaint.MaskOptions;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * What img2img adds to a generation, with A1111's names: init images (image k of the batch starts from
 * {@code initImages[k % n]}), {@code denoising_strength}, {@code resize_mode}, an optional inpainting mask, and
 * {@code image_cfg_scale} (only instruct-pix2pix models use it; recorded, as A1111 does for other models).
 */
public record Img2ImgInput(List<BufferedImage> initImages, double denoisingStrength, ResizeMode resizeMode,
                           Optional<MaskOptions> mask, Double imageCfgScale) {

    public Img2ImgInput {
        if (initImages == null || initImages.isEmpty()) {
            throw new IllegalArgumentException("init_images must hold at least one image");
        }
        if (!(denoisingStrength >= 0 && denoisingStrength <= 1)) {
            throw new IllegalArgumentException("denoising_strength must be between 0 and 1, got " + denoisingStrength);
        }
        initImages = List.copyOf(initImages);
        resizeMode = resizeMode == null ? ResizeMode.JUST_RESIZE : resizeMode;
        mask = mask == null ? Optional.empty() : mask;
    }

    public BufferedImage initImageFor(int index) {
        return initImages.get(index % initImages.size());
    }
}

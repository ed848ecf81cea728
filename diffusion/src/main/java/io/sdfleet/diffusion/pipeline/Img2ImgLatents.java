package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.ImageFit;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.diffusion.inpaint.Overlay;
import io.sdfleet.diffusion.inpaint.PreparedInit;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.sampling.MaskedDenoiser;
import io.sdfleet.diffusion.upscale.ResizeImage;
import io.sdfleet.diffusion.upscale.Resizer;
import io.sdfleet.diffusion.upscale.Upscaler;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.diffusion.vae.Posterior;
import io.sdfleet.request.Img2Img;
import io.sdfleet.request.InpaintingFill;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The latent side of img2img and inpainting, as A1111 prepares it: every init image encoded by the VAE (posterior
 * mean × scale factor), the mask brought to latent size (Pillow bicubic, rounded) as the repaint map, the latent
 * fills, and for 9-channel checkpoints the image conditioning [mask, latent of the image with the mask blanked].
 *
 * @param initLatent     [B, 4, h, w] model space
 * @param repaint        [1, 4, h, w], 1 = repaint; null without a mask
 * @param imageCondition [B, 5, h, w] for 9-channel models; null otherwise
 * @param overlays       per image: the original pasted back outside the mask
 */
record Img2ImgLatents(NDArray initLatent, NDArray repaint, NDArray imageCondition, List<Optional<Overlay>> overlays) {

    /**
     * @param upscaler brings an init image smaller than width × height up to size, and the generated image into an
     *                 "inpaint only masked" region (A1111's {@code upscaler_for_img2img}); {@link Resizer#NONE}: Lanczos
     */
    static Img2ImgLatents prepare(NDManager manager, StableDiffusionModel model, Autoencoder vae, Img2Img input,
                                  int batch, int width, int height, NDArray noise, Upscaler upscaler) {
        ImageFit.Resize resize = (image, w, h) -> ResizeImage.to(image, w, h, upscaler);
        List<PreparedInit> prepared = new ArrayList<>();
        NDList pixels = new NDList();
        List<BufferedImage> initImages = Base64Images.initImages(input, batch);
        BufferedImage maskImage = Base64Images.mask(input);
        for (int k = 0; k < batch; k++) {
            PreparedInit init = PreparedInit.of(initImages.get(k), input.mask(), maskImage, input.resizeMode(), width,
                    height, resize);
            prepared.add(init);
            pixels.add(init.image().toTensor(manager));
        }
        NDArray images = NDArrays.concat(pixels, 0);
        NDArray initLatent = encode(vae, images);
        int latentH = height / 8;
        int latentW = width / 8;
        NDArray repaint = null;
        Optional<int[][]> mask = prepared.get(0).latentMask();
        if (mask.isPresent()) {
            repaint = latentMask(manager, mask.get(), latentW, latentH);
            InpaintingFill fill = input.mask().fill();
            if (fill == InpaintingFill.LATENT_NOISE || fill == InpaintingFill.LATENT_NOTHING) {
                // A1111 draws the fill noise from the images' own seeds: the same tensor as the initial noise.
                NDArray replacement = fill == InpaintingFill.LATENT_NOISE ? noise : noise.zerosLike();
                NDArray filled = MaskedDenoiser.blend(replacement, initLatent, repaint);
                initLatent = filled;
            }
        }
        NDArray imageCondition = null;
        if (model.unet().inChannels() == 9) {
            imageCondition = inpaintingConditioning(manager, vae, images, mask, latentW, latentH);
        }
        List<Optional<Overlay>> overlays = prepared.stream().map(PreparedInit::overlay).toList();
        return new Img2ImgLatents(initLatent, repaint, imageCondition, overlays);
    }

    /** Model-space latents of images in [−1, 1]: posterior mean × scale factor. */
    static NDArray encode(Autoencoder vae, NDArray images) {
        try (Posterior posterior = vae.encode(images)) {
            return posterior.mean().mul(vae.scaleFactor());
        }
    }

    /** A1111's latent mask: the mask resized to latent size (Pillow's default bicubic), /255, rounded half to even. */
    static NDArray latentMask(NDManager manager, int[][] mask, int latentW, int latentH) {
        int[][] small = Resampler.resize(mask, latentW, latentH, Resampler.Filter.BICUBIC);
        float[] values = new float[4 * latentH * latentW];
        for (int c = 0; c < 4; c++) {
            for (int y = 0; y < latentH; y++) {
                for (int x = 0; x < latentW; x++) {
                    values[(c * latentH + y) * latentW + x] = (float) Math.rint(small[y][x] / 255.0);
                }
            }
        }
        return manager.create(values, new Shape(1, 4, latentH, latentW));
    }

    /**
     * A1111's {@code inpainting_image_conditioning}: [nearest-resized rounded mask, latent of image · (1 − mask)];
     * without a mask the whole image counts as masked (a blank image), which is also what txt2img uses.
     */
    static NDArray inpaintingConditioning(NDManager manager, Autoencoder vae, NDArray images, Optional<int[][]> mask,
                                          int latentW, int latentH) {
        long batch = images.getShape().get(0);
        long h = images.getShape().get(2);
        long w = images.getShape().get(3);
        try (NDManager scope = manager.newSubManager()) {
            NDArray pixelMask;
            if (mask.isPresent()) {
                float[] values = new float[(int) (h * w)];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        values[(int) (y * w + x)] = (float) Math.rint(mask.get()[y][x] / 255.0);
                    }
                }
                pixelMask = scope.create(values, new Shape(1, 1, h, w));
            } else {
                pixelMask = scope.ones(new Shape(1, 1, h, w));
            }
            NDArray masked = images.mul(pixelMask.neg().add(1f));
            masked.attach(scope);
            NDArray latent = encode(vae, masked);
            latent.attach(scope);
            NDArray smallMask = LatentResize.resize(pixelMask, latentH, latentW, LatentResize.Mode.NEAREST)
                    .repeat(0, batch);
            smallMask.attach(scope);
            NDArray conditioning = NDArrays.concat(new NDList(smallMask, latent), 1);
            conditioning.attach(manager);
            return conditioning;
        }
    }

    /** The conditioning a 9-channel model gets in txt2img and hires passes: a blank image, fully masked. */
    static NDArray blankConditioning(NDManager manager, Autoencoder vae, int batch, int latentW, int latentH) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray blank = scope.zeros(new Shape(batch, 3, latentH * 8L, latentW * 8L));
            NDArray conditioning = inpaintingConditioning(scope, vae, blank, Optional.empty(), latentW, latentH);
            conditioning.attach(manager);
            return conditioning;
        }
    }
}

package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.ImageTensors;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.upscale.ResizeImage;
import io.sdfleet.diffusion.upscale.Upscaler;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.HiresFix;
import io.sdfleet.request.ImageSize;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The hires fix's second pass, planned: target latent size, the sampler it runs with, and its steps — always A1111's
 * fixed-steps img2img arithmetic, since the hires pass passes its step count explicitly.
 */
record HiresPlan(HiresFix fix, int latentW, int latentH, int cropW, int cropH, SamplerCatalog.Choice choice,
                 Img2ImgSteps steps) {

    static HiresPlan of(GenerationParameters p, SamplerCatalog.Choice choice) {
        HiresFix fix = p.hires();
        int[] target = fix.targetSize(p.size().width(), p.size().height());
        int[] end = fix.finalSize(p.size().width(), p.size().height());
        if (target[0] < 8 || target[1] < 8 || target[0] > ImageSize.MAX_SIDE || target[1] > ImageSize.MAX_SIDE) {
            throw new IllegalArgumentException("hires fix target " + target[0] + "x" + target[1] + " is outside 8.."
                    + ImageSize.MAX_SIDE);
        }
        return new HiresPlan(fix, target[0] / 8, target[1] / 8, end[0] / 8, end[1] / 8, choice,
                Img2ImgSteps.of(fix.effectiveSecondPassSteps(p.sampling().steps()), fix.denoisingStrength(), true));
    }

    /**
     * First-pass latents brought to the target size: interpolated in latent space ("Latent", "Latent (nearest)"), or,
     * as A1111's {@code sample_hr_pass} with any other upscaler, decoded, converted to 8 bits, brought to the target
     * by {@link ResizeImage} with {@code upscaler} (a built-in, or a model: ESRGAN, Real-ESRGAN) and encoded again;
     * then centre-cropped to hr_resize_x × y when both were given, as A1111 truncates.
     *
     * @param upscaler the pixel upscaler; unused (may be null) for the latent modes
     */
    static NDArray upscale(Autoencoder vae, HiresPlan plan, NDArray latents, Upscaler upscaler) {
        NDManager owner = latents.getManager();
        NDArray up;
        if (plan.fix().latentUpscaler()) {
            LatentResize.Mode mode = plan.fix().upscaler().equals("Latent (nearest)")
                    ? LatentResize.Mode.NEAREST : LatentResize.Mode.BILINEAR;
            up = LatentResize.resize(latents, plan.latentH(), plan.latentW(), mode);
        } else {
            try (NDManager scope = owner.newSubManager()) {
                NDArray decoded = vae.decode(latents.div(vae.scaleFactor()));
                decoded.attach(scope);
                List<BufferedImage> images = ImageTensors.toImages(decoded);
                NDList pixels = new NDList();
                for (BufferedImage image : images) {
                    PixelPlanes scaled = ResizeImage.to(PixelPlanes.rgb(image), plan.latentW() * 8,
                            plan.latentH() * 8, upscaler);
                    pixels.add(scaled.toTensor(scope));
                }
                NDArray batch = NDArrays.concat(pixels, 0);
                up = Img2ImgLatents.encode(vae, batch);
                up.attach(owner);
            }
        }
        int dy = plan.latentH() - plan.cropH();
        int dx = plan.latentW() - plan.cropW();
        if (dx <= 0 && dy <= 0) {
            return up;
        }
        NDArray cropped = up.get(":, :, {}:{}, {}:{}", Math.max(dy, 0) / 2, plan.latentH() - (Math.max(dy, 0) + 1) / 2,
                Math.max(dx, 0) / 2, plan.latentW() - (Math.max(dx, 0) + 1) / 2);
        up.close();
        return cropped;
    }
}

package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.image.ImageTensors;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.image.Resampler;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.diffusion.vae.AutoencoderKL;
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
     * First-pass latents brought to the target size: interpolated in latent space ("Latent", "Latent (nearest)"), or
     * decoded, scaled as pixels and encoded again ("Lanczos" and "None" with Lanczos, "Nearest" nearest-neighbour); then centre-cropped to hr_resize_x × y when
     * both were given, as A1111 truncates.
     */
    static NDArray upscale(Autoencoder vae, HiresPlan plan, NDArray latents) {
        NDManager owner = latents.getManager();
        NDArray up;
        if (plan.fix().latentUpscaler()) {
            LatentResize.Mode mode = plan.fix().upscaler().equals("Latent (nearest)")
                    ? LatentResize.Mode.NEAREST : LatentResize.Mode.BILINEAR;
            up = LatentResize.resize(latents, plan.latentH(), plan.latentW(), mode);
        } else {
            try (NDManager scope = owner.newSubManager()) {
                NDArray decoded = vae.decode(latents.div(AutoencoderKL.SD_SCALE_FACTOR));
                decoded.attach(scope);
                List<BufferedImage> images = ImageTensors.toImages(decoded);
                NDList pixels = new NDList();
                for (BufferedImage image : images) {
                    PixelPlanes scaled = Resampler.resize(PixelPlanes.rgb(image), plan.latentW() * 8, plan.latentH() * 8,
                            plan.fix().upscaler().equals("Nearest") ? Resampler.Filter.NEAREST : Resampler.Filter.LANCZOS);
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

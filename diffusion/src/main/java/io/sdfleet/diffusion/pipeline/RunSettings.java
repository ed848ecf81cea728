package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.loading.ExternalVae;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.unet.ContextTransform;
import io.sdfleet.diffusion.unet.UNetSettings;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import io.sdfleet.diffusion.vae.VaeSettings;
import io.sdfleet.diffusion.vae.VaeTiling;

import java.nio.file.Path;
import java.util.Map;

/**
 * How one generation runs the shared, loaded model, made per run from the request and the model's options. It
 * reaches the layers with every UNet and VAE call instead of being set on the model, so runs on one model never see
 * each other's choices and nothing is reset after a run.
 *
 * @param padding          circular for A1111's "Tiling" (every conv of UNet and VAE: the image wraps around), else
 *                         zeros
 * @param attention        how attention is chunked
 * @param contextTransform the prompt's hypernetworks; null for none
 * @param externalVae      the VAE used instead of the checkpoint's (A1111's {@code sd_vae}); null for its own
 * @param vaeTiling        tiled VAE for large latents; null for never
 */
record RunSettings(PaddingMode padding, Attention attention, ContextTransform contextTransform,
                   ExternalVae externalVae, VaeTiling vaeTiling) {

    /**
     * @param vaeFile an external VAE (loaded once per model), or null for the checkpoint's own. The options' VAE tiles
     *                apply to the checkpoint's VAE only; an external VAE decodes and encodes untiled, as it always has
     */
    static RunSettings of(StableDiffusionModel model, boolean tiling, ContextTransform hypernetworks, Path vaeFile) {
        PaddingMode padding = tiling ? PaddingMode.CIRCULAR : PaddingMode.ZEROS;
        if (vaeFile == null) {
            return new RunSettings(padding, model.attention(), hypernetworks, null, model.vaeTiling());
        }
        return new RunSettings(padding, model.attention(), hypernetworks, model.externalVae(vaeFile), null);
    }

    /** The model's UNet as this run's samplers call it. */
    NoisePredictor unet(StableDiffusionModel model) {
        return model.unet().with(new UNetSettings(padding, attention, contextTransform));
    }

    /** This run's VAE as it decodes and encodes. */
    Autoencoder vae(StableDiffusionModel model) {
        AutoencoderKL vae = externalVae == null ? model.vae() : externalVae.vae();
        return vae.with(new VaeSettings(padding, attention, vaeTiling));
    }

    /** A1111's "VAE hash" and "VAE" infotext entries when an external VAE is used; empty otherwise. */
    Map<String, String> vaeInfotext() {
        return externalVae == null ? Map.of() : externalVae.infotext();
    }
}

package io.sdfleet.diffusion.loading;

import io.sdfleet.diffusion.checkpoint.SdxlKeys;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import io.sdfleet.request.ModelArchitecture;

import java.util.Set;

/**
 * The model families a single-file checkpoint can hold, told apart by their text towers as A1111's
 * {@code sd_models_config.guess_model_config_from_state_dict} does, in its order: an SDXL base keeps the OpenCLIP
 * bigG tower second ({@code conditioner.embedders.1.model.}), the refiner keeps it alone and first
 * ({@code conditioner.embedders.0.model.}), SD 2.x keeps OpenCLIP ViT-H under {@code cond_stage_model.model.}, and
 * SD 1.x a Hugging Face CLIP under {@code cond_stage_model.transformer.}.
 */
public enum ModelType {

    SD1(AutoencoderKL.SD_SCALE_FACTOR),
    SD2(AutoencoderKL.SD_SCALE_FACTOR),
    SDXL(AutoencoderKL.SDXL_SCALE_FACTOR),
    SDXL_REFINER(AutoencoderKL.SDXL_SCALE_FACTOR);

    /** Where an SDXL base keeps CLIP ViT-L's text model (Hugging Face layout). */
    public static final String SDXL_CLIP_L_PREFIX = SdxlKeys.CLIP_L + "text_model.";
    /** Where an SDXL base keeps OpenCLIP bigG's text tower (open_clip layout). */
    public static final String SDXL_BIG_G_PREFIX = SdxlKeys.BIG_G;
    /** Where the SDXL refiner keeps OpenCLIP bigG's text tower, its only text encoder. */
    public static final String REFINER_BIG_G_PREFIX = SdxlKeys.REFINER_BIG_G;

    private final float scaleFactor;

    ModelType(float scaleFactor) {
        this.scaleFactor = scaleFactor;
    }

    /**
     * The checkpoint's type from its keys (A1111's rule; an SDXL inpainting model is SDXL too). The rule has one
     * home, {@link ModelArchitecture#ofKeys}, which the gateway's catalog applies to file headers as well.
     */
    public static ModelType detect(Set<String> keys) {
        return valueOf(ModelArchitecture.ofKeys(keys).name());
    }

    /** The latent scale of the diffusion model: model latents = VAE latents × scaleFactor. */
    public float scaleFactor() {
        return scaleFactor;
    }

    public boolean isSdxl() {
        return this == SDXL || this == SDXL_REFINER;
    }
}

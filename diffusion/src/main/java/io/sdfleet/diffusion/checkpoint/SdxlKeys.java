package io.sdfleet.diffusion.checkpoint;

/** Where SDXL single-file checkpoints (sgm's GeneralConditioner) keep their text towers. */
public final class SdxlKeys {

    /** An SDXL base's CLIP ViT-L: a Hugging Face CLIPTextModel ({@code text_model.*}) under this prefix. */
    public static final String CLIP_L = "conditioner.embedders.0.transformer.";
    /** An SDXL base's OpenCLIP ViT-bigG-14 text tower, open_clip layout. */
    public static final String BIG_G = "conditioner.embedders.1.model.";
    /** The refiner's bigG, its only text tower, open_clip layout. */
    public static final String REFINER_BIG_G = "conditioner.embedders.0.model.";

    private SdxlKeys() {
    }
}

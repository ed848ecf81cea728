package io.sdfleet.diffusion.testing;

import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;

/** The reference's mini SD 1.5 with the reference tokenizer, loaded for a whole test class. */
public final class MiniModel {

    private MiniModel() {
    }

    public static StableDiffusionModel load() {
        return StableDiffusionModel.load(Reference.file("mini_sd15_fp32.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
    }
}

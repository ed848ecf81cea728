package io.sdfleet.diffusion.loading;

import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.clip.OpenClipTextModel;

import java.util.Objects;
import java.util.Optional;

/**
 * The text towers of an SDXL checkpoint, as its conditioner keeps them: the base has CLIP ViT-L
 * ({@code conditioner.embedders.0}) and OpenCLIP bigG ({@code conditioner.embedders.1}); the refiner has bigG
 * alone ({@code conditioner.embedders.0}). The conditioning built on them lives elsewhere.
 *
 * @param clipL CLIP ViT-L's text model; empty for the refiner
 * @param bigG  OpenCLIP ViT-bigG-14's text tower
 */
public record SdxlTextEncoders(Optional<ClipTextModel> clipL, OpenClipTextModel bigG) {

    public SdxlTextEncoders {
        Objects.requireNonNull(clipL, "clipL");
        Objects.requireNonNull(bigG, "bigG");
    }
}

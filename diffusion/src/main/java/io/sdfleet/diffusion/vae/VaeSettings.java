package io.sdfleet.diffusion.vae;

import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.PaddingMode;

import java.util.Objects;

/**
 * How one run computes a shared, loaded VAE. Immutable and passed down with every call, so runs with different
 * settings share one VAE, one after the other or side by side, without changing it.
 *
 * @param padding   every conv's border: circular for A1111's "Tiling", else zeros
 * @param attention how attention is chunked
 * @param tiling    tiled decode and encode for latents larger than one tile ({@link TiledVae}); null: never. Not
 *                  used while the padding is circular (tiles cannot see around the image)
 */
public record VaeSettings(PaddingMode padding, Attention attention, VaeTiling tiling) {

    public VaeSettings {
        Objects.requireNonNull(padding, "padding");
        Objects.requireNonNull(attention, "attention");
    }

    /** The tiling to use for a latent of this size, or null for the plain run. */
    VaeTiling tilingFor(long latentH, long latentW) {
        boolean tileable = tiling != null && padding == PaddingMode.ZEROS && tiling.splits(latentH, latentW);
        return tileable ? tiling : null;
    }

    /** What every stage of an untiled call reads. */
    StageSettings stages() {
        return new StageSettings(padding, attention, null);
    }
}

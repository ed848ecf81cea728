package io.sdfleet.diffusion.unet;

import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.PaddingMode;

import java.util.Objects;

/**
 * How one run computes a shared, loaded UNet. Immutable and passed down with every call, so runs with different
 * settings share one model, one after the other or side by side, without changing it.
 *
 * @param padding          every conv's border: circular for A1111's "Tiling", else zeros
 * @param attention        how attention is chunked
 * @param contextTransform what the attention layers compute keys and values from (hypernetworks); null: the context
 *                         itself, the model as trained
 */
public record UNetSettings(PaddingMode padding, Attention attention, ContextTransform contextTransform) {

    public UNetSettings {
        Objects.requireNonNull(padding, "padding");
        Objects.requireNonNull(attention, "attention");
    }
}

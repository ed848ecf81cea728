package io.sdfleet.request;

import java.util.Locale;

/** What the masked area starts from (A1111's {@code inpainting_fill} 0–3). */
public enum InpaintingFill {
    /** Blurred surrounding colours ("fill"). */
    FILL,
    /** The init image as it is ("original"). */
    ORIGINAL,
    /** Fresh seeded noise in the masked latents ("latent noise"). */
    LATENT_NOISE,
    /** Zero latents ("latent nothing"). */
    LATENT_NOTHING;

    public static InpaintingFill ofIndex(int index) {
        if (index < 0 || index > 3) {
            throw new IllegalArgumentException("inpainting_fill must be 0 (fill), 1 (original), 2 (latent noise) or 3 (latent nothing), got " + index);
        }
        return values()[index];
    }

    /** The A1111 name, also accepted on the command line with dashes ("latent-noise"). */
    public static InpaintingFill ofName(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT).replace('-', ' ').replace('_', ' ')) {
            case "fill", "0" -> FILL;
            case "original", "1" -> ORIGINAL;
            case "latent noise", "2" -> LATENT_NOISE;
            case "latent nothing", "3" -> LATENT_NOTHING;
            default -> throw new IllegalArgumentException("inpainting_fill must be fill, original, latent noise or latent nothing, got " + name);
        };
    }
}

package io.sdfleet.diffusion.vae;

import java.util.ArrayList;
import java.util.List;

/** One tile's core along one axis, [start, end) in latent cells, and the axis length it was cut from. */
record TileSpan(int start, int end, int length) {

    /** Cuts {@code length} into the fewest cores of at most {@code tile} cells, of near-equal sizes. */
    static List<TileSpan> cut(int length, int tile) {
        int count = (length + tile - 1) / tile;
        List<TileSpan> spans = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            spans.add(new TileSpan(Math.round((float) i * length / count),
                    Math.round((float) (i + 1) * length / count), length));
        }
        return spans;
    }

    /** The core grown by {@code margin} on each side, clipped to the axis: [from, to). */
    int from(int margin) {
        return Math.max(0, start - margin);
    }

    int to(int margin) {
        return Math.min(length, end + margin);
    }

    /**
     * The weights of this tile's output cells [from(blend)·scale, to(blend)·scale): 1 in the core, and a linear
     * ramp across every boundary shared with a neighbour (its rise meets the neighbour's fall, so the weights of all
     * tiles sum to 1 everywhere and no normalisation is needed). Image borders get no ramp.
     */
    float[] weights(int blend, int scale) {
        int first = from(blend) * scale;
        int last = to(blend) * scale;
        float band = 2f * blend * scale;
        float rise = (start - blend) * scale;
        float fall = (end + blend) * scale;
        float[] w = new float[last - first];
        for (int i = 0; i < w.length; i++) {
            float centre = first + i + 0.5f;
            float value = 1f;
            if (band > 0 && start > 0) {
                value = Math.min(value, Math.max(0f, (centre - rise) / band));
            }
            if (band > 0 && end < length) {
                value = Math.min(value, Math.max(0f, (fall - centre) / band));
            }
            w[i] = value;
        }
        return w;
    }
}

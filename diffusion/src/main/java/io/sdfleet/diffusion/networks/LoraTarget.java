package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.types.Shape;

import java.util.List;

/**
 * Where one kohya module's update goes: the checkpoint weight {@code weightKey}, whole ({@code parts} 1) or its
 * {@code part}-th block of rows out of {@code parts} (q, k or v of a stacked {@code in_proj_weight}), and the
 * modules that A1111 applies only together with this one ({@link KohyaNames#appliedTogether}).
 */
record LoraTarget(String weightKey, int part, int parts, List<String> appliedTogether) {

    LoraTarget {
        if (part < 0 || part >= parts) {
            throw new IllegalArgumentException("part " + part + " of " + parts);
        }
        appliedTogether = List.copyOf(appliedTogether);
    }

    static LoraTarget whole(String weightKey, List<String> appliedTogether) {
        return new LoraTarget(weightKey, 0, 1, appliedTogether);
    }

    /** The shape of the rows this module updates, in a weight of {@code weight} shape. */
    Shape blockShape(Shape weight) {
        if (weight.get(0) % parts != 0) {
            throw new IllegalArgumentException(weightKey + " of shape " + weight + " does not split into " + parts);
        }
        long[] dims = weight.getShape().clone(); // Shape hands out its own array
        dims[0] /= parts;
        return new Shape(dims);
    }
}

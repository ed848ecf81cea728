package io.sdfleet.diffusion.noise;

import java.util.ArrayList;
import java.util.List;

/**
 * How a run draws its noise, with A1111's names: the RNG source, the variation seed ("subseed") and how far to
 * move towards it, "resize seed from" (noise drawn as if the image were that size), and eta noise seed delta
 * (ENSD, re-seeds the ancestral noise). {@link #DEFAULTS} is A1111's default: CPU, no variation, no resize, ENSD 0.
 */
public record NoiseOptions(
        RngSource source,
        long subseed,
        double subseedStrength,
        int seedResizeFromW,
        int seedResizeFromH,
        long ensd) {

    public static final NoiseOptions DEFAULTS = new NoiseOptions(RngSource.CPU, 0, 0, 0, 0, 0);

    public NoiseOptions {
        source = source == null ? RngSource.CPU : source;
    }

    public boolean varies() {
        return subseedStrength != 0;
    }

    /** A1111 resizes only when both sides are given. */
    public boolean resizesSeed() {
        return seedResizeFromW > 0 && seedResizeFromH > 0;
    }

    public NoiseOptions withSource(RngSource newSource) {
        return new NoiseOptions(newSource, subseed, subseedStrength, seedResizeFromW, seedResizeFromH, ensd);
    }

    public NoiseOptions withVariation(long newSubseed, double strength) {
        return new NoiseOptions(source, newSubseed, strength, seedResizeFromW, seedResizeFromH, ensd);
    }

    public NoiseOptions withSeedResizeFrom(int width, int height) {
        return new NoiseOptions(source, subseed, subseedStrength, width, height, ensd);
    }

    public NoiseOptions withEnsd(long delta) {
        return new NoiseOptions(source, subseed, subseedStrength, seedResizeFromW, seedResizeFromH, delta);
    }

    /** Problems with the numbers, each naming its field (A1111's API names); empty when they can run. */
    public List<String> problems(int maxSide) {
        List<String> problems = new ArrayList<>();
        if (!(subseedStrength >= 0 && subseedStrength <= 1)) {
            problems.add("subseed_strength must be between 0 and 1, got " + subseedStrength);
        }
        if (varies() && subseed < 0) {
            problems.add("subseed must be resolved (≥ 0) before the engine runs, got " + subseed);
        }
        for (int side : new int[] {seedResizeFromW, seedResizeFromH}) {
            if (side > maxSide) {
                problems.add("seed_resize_from_w/h must be at most " + maxSide + ", got " + side);
            }
        }
        return problems;
    }
}

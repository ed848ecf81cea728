package io.sdfleet.request;

import java.util.ArrayList;
import java.util.List;

/**
 * How a request draws its noise, with A1111's names: the seed (resolved, never −1, once the gateway accepted the
 * request), the variation seed ({@code subseed}) and how far to move towards it, "resize seed from" (noise drawn as
 * if the image were that size; 0 = off), the RNG source, and eta noise seed delta (ENSD, re-seeds the ancestral noise).
 */
public record Noise(long seed, long subseed, double subseedStrength, int seedResizeFromW, int seedResizeFromH,
                    RngSource rngSource, long etaNoiseSeedDelta) {

    public Noise {
        rngSource = rngSource == null ? RngSource.CPU : rngSource;
    }

    /** A1111's defaults around a seed: CPU, no variation, no resize, ENSD 0. */
    public static Noise of(long seed) {
        return new Noise(seed, 0, 0, 0, 0, RngSource.CPU, 0);
    }

    /** The seed of image k: seed + k, or the seed itself for every image when a variation seed is used (A1111). */
    public long seedOf(int k) {
        return seed + (varies() ? 0 : k);
    }

    /** The variation seed of image k. */
    public long subseedOf(int k) {
        return subseed + k;
    }

    public boolean varies() {
        return subseedStrength != 0;
    }

    /** A1111 resizes only when both sides are given. */
    public boolean resizesSeed() {
        return seedResizeFromW > 0 && seedResizeFromH > 0;
    }

    public Noise withSeed(long newSeed) {
        return new Noise(newSeed, subseed, subseedStrength, seedResizeFromW, seedResizeFromH, rngSource, etaNoiseSeedDelta);
    }

    /** The same noise for a batch whose first image has these seeds (a job's share of the request). */
    public Noise withSeeds(long newSeed, long newSubseed) {
        return new Noise(newSeed, newSubseed, subseedStrength, seedResizeFromW, seedResizeFromH, rngSource,
                etaNoiseSeedDelta);
    }

    public Noise withSource(RngSource source) {
        return new Noise(seed, subseed, subseedStrength, seedResizeFromW, seedResizeFromH, source, etaNoiseSeedDelta);
    }

    public Noise withVariation(long newSubseed, double strength) {
        return new Noise(seed, newSubseed, strength, seedResizeFromW, seedResizeFromH, rngSource, etaNoiseSeedDelta);
    }

    public Noise withSeedResizeFrom(int width, int height) {
        return new Noise(seed, subseed, subseedStrength, width, height, rngSource, etaNoiseSeedDelta);
    }

    public Noise withEtaNoiseSeedDelta(long delta) {
        return new Noise(seed, subseed, subseedStrength, seedResizeFromW, seedResizeFromH, rngSource, delta);
    }

    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (seed < 0) {
            problems.add("seed must be resolved (≥ 0) before the engine runs, got " + seed);
        }
        if (!(subseedStrength >= 0 && subseedStrength <= 1)) {
            problems.add("subseed_strength must be between 0 and 1, got " + subseedStrength);
        }
        if (varies() && subseed < 0) {
            problems.add("subseed must be resolved (≥ 0) before the engine runs, got " + subseed);
        }
        for (int side : new int[] {seedResizeFromW, seedResizeFromH}) {
            if (side > ImageSize.MAX_SIDE) {
                problems.add("seed_resize_from_w/h must be at most " + ImageSize.MAX_SIDE + ", got " + side);
            }
        }
        return problems;
    }
}

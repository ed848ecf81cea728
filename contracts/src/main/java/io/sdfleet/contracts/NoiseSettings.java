package io.sdfleet.contracts;

/**
 * How a request draws its noise, with A1111's names: RNG source ("CPU" or "NV"), variation seed ({@code subseed},
 * resolved, never −1 once queued) and its strength, "resize seed from" (0 = off) and eta noise seed delta.
 */
public record NoiseSettings(String rngSource, long subseed, double subseedStrength, int seedResizeFromW,
                            int seedResizeFromH, long etaNoiseSeedDelta) {

    /** A1111's defaults: CPU, no variation, no resize, ENSD 0. */
    public static final NoiseSettings DEFAULTS = new NoiseSettings("CPU", 0, 0, 0, 0, 0);

    public boolean varies() {
        return subseedStrength != 0;
    }
}

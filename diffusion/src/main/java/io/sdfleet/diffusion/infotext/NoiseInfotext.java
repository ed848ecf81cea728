package io.sdfleet.diffusion.infotext;

import io.sdfleet.request.Noise;

import java.util.LinkedHashMap;
import java.util.Map;

/** The infotext entries A1111 writes for the noise options, each only when the option is in use. */
final class NoiseInfotext {

    private NoiseInfotext() {
    }

    /** "Variation seed", "Variation seed strength" and "Seed resize from", in A1111's order. */
    static Map<String, String> variation(Noise options, long subseed) {
        Map<String, String> params = new LinkedHashMap<>();
        if (options.varies()) {
            params.put("Variation seed", String.valueOf(subseed));
            params.put("Variation seed strength", Numbers.compact(options.subseedStrength()));
        }
        if (options.resizesSeed()) {
            params.put("Seed resize from", options.seedResizeFromW() + "x" + options.seedResizeFromH());
        }
        return params;
    }

    /** "ENSD", which A1111 records only when the sampler actually draws step noise. */
    static Map<String, String> ensd(Noise options, boolean samplerDrawsNoise) {
        return options.etaNoiseSeedDelta() != 0 && samplerDrawsNoise
                ? Map.of("ENSD", String.valueOf(options.etaNoiseSeedDelta())) : Map.of();
    }
}

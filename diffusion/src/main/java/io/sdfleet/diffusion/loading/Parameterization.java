package io.sdfleet.diffusion.loading;

import io.sdfleet.diffusion.model.NoisePredictor.Prediction;

import java.util.Locale;
import java.util.Optional;

/** LDM's {@code parameterization} config value: "eps" (the default) or "v"; anything else is not understood. */
final class Parameterization {

    private Parameterization() {
    }

    static Optional<Prediction> parse(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "eps" -> Optional.of(Prediction.EPSILON);
            case "v" -> Optional.of(Prediction.V);
            default -> Optional.empty();
        };
    }
}

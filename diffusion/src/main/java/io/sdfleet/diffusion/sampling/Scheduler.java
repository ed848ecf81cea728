package io.sdfleet.diffusion.sampling;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A1111's "Schedule type" choices (v1.9+): how the σ levels of a k-diffusion run are spaced. */
public enum Scheduler {
    AUTOMATIC("automatic", "Automatic"),
    UNIFORM("uniform", "Uniform"),
    KARRAS("karras", "Karras"),
    EXPONENTIAL("exponential", "Exponential"),
    SGM_UNIFORM("sgm_uniform", "SGM Uniform");

    private final String id;
    private final String label;

    Scheduler(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public String id() {
        return id;
    }

    public String label() {
        return label;
    }

    /** n levels plus the final 0 (n + 1 values). */
    public float[] sigmas(DiscreteSchedule model, int n) {
        return switch (this) {
            case AUTOMATIC, UNIFORM -> Sigmas.uniform(model, n);
            case KARRAS -> Sigmas.karras(model, n);
            case EXPONENTIAL -> Sigmas.exponential(model, n);
            case SGM_UNIFORM -> Sigmas.sgmUniform(model, n);
        };
    }

    /** By id or label, ignoring case ("karras", "Karras", "SGM Uniform", "sgm_uniform", "SGMUniform"). */
    public static Scheduler byName(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Scheduler s : values()) {
            if (s.id.equals(n) || s.label.toLowerCase(Locale.ROOT).equals(n)
                    || s.label.replace(" ", "").toLowerCase(Locale.ROOT).equals(n)) {
                return s;
            }
        }
        List<String> valid = new ArrayList<>();
        for (Scheduler s : values()) {
            valid.add(s.label);
        }
        throw new IllegalArgumentException("unknown scheduler '" + name + "' (valid: " + String.join(", ", valid) + ")");
    }
}

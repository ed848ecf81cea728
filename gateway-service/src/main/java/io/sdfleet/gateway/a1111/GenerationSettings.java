package io.sdfleet.gateway.a1111;

import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings one request generates with: the caller's saved options (POST /sdapi/v1/options), overridden key by key
 * by the request's {@code override_settings}. Only {@link A1111Request#GENERATION_SETTINGS} matter; A1111 takes any
 * other setting key too, so the lenient dialect ignores those (reporting them), the native one refuses them.
 */
final class GenerationSettings {

    /** A setting's value and where it came from, for naming it in a problem. */
    private record Setting(JsonNode value, String field) {
    }

    private final Map<String, Setting> settings;

    private GenerationSettings(Map<String, Setting> settings) {
        this.settings = settings;
    }

    static GenerationSettings read(JsonNode overrides, Map<String, JsonNode> userOptions, boolean lenient,
                                   List<FieldProblem> bad, List<FieldProblem> unsupported, List<String> ignored) {
        Map<String, Setting> settings = new LinkedHashMap<>();
        userOptions.forEach((key, value) -> {
            if (A1111Request.GENERATION_SETTINGS.contains(key) && value != null && !value.isNull()) {
                settings.put(key, new Setting(value, "options." + key));
            }
        });
        if (overrides != null && !overrides.isNull()) {
            if (!overrides.isObject()) {
                bad.add(new FieldProblem("override_settings", "must be an object"));
            } else {
                for (String key : overrides.propertyNames()) {
                    JsonNode value = overrides.get(key);
                    if (A1111Request.GENERATION_SETTINGS.contains(key)) {
                        if (value != null && !value.isNull()) {
                            settings.put(key, new Setting(value, "override_settings." + key));
                        }
                    } else if (lenient) {
                        ignored.add("override_settings." + key);
                    } else {
                        unsupported.add(new FieldProblem("override_settings." + key, "setting not supported yet"));
                    }
                }
            }
        }
        return new GenerationSettings(settings);
    }

    /** The setting's value, or null when neither the request nor the caller's options set it. */
    JsonNode get(String key) {
        Setting s = settings.get(key);
        return s == null ? null : s.value();
    }

    /** How a problem with the setting names it: {@code override_settings.KEY} or {@code options.KEY}. */
    String field(String key) {
        Setting s = settings.get(key);
        return s == null ? "override_settings." + key : s.field();
    }

    /** An integer setting, coerced as A1111 does; a problem (and the fallback) when it is not one in range. */
    long integer(String key, long fallback, long min, long max, List<FieldProblem> bad) {
        JsonNode value = get(key);
        if (value == null) {
            return fallback;
        }
        Optional<BigDecimal> n = Fields.asInteger(value, min, max);
        if (n.isEmpty()) {
            bad.add(new FieldProblem(field(key), min == Long.MIN_VALUE ? "must be an integer"
                    : "must be an integer from " + min + " to " + max));
            return fallback;
        }
        return n.get().longValueExact();
    }
}

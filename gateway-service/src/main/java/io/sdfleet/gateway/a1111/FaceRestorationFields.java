package io.sdfleet.gateway.a1111;

import io.sdfleet.request.FaceRestoration;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;

/**
 * "Restore faces" of an A1111 generation request: {@code restore_faces} (null: the {@code face_restoration} setting,
 * default off), the restorer from {@code face_restoration_model} (CodeFormer) and {@code code_former_weight} (0.5),
 * read from override_settings or the caller's options as A1111 reads {@code opts}.
 */
final class FaceRestorationFields {

    private FaceRestorationFields() {
    }

    /** The restoration asked for, or null when off; problems name the field or setting. */
    static FaceRestoration parse(Fields f, JsonNode body, GenerationSettings settings, ModelCatalog models,
                                 List<FieldProblem> bad, List<FieldProblem> unsupported) {
        JsonNode field = body.get("restore_faces");
        boolean on;
        if (field != null && !field.isNull()) {
            on = f.bool("restore_faces", false);
        } else {
            JsonNode setting = settings.get("face_restoration");
            Optional<Boolean> b = setting == null ? Optional.of(false) : Fields.asBoolean(setting);
            if (b.isEmpty()) {
                bad.add(new FieldProblem(settings.field("face_restoration"), "must be true or false"));
            }
            on = b.orElse(false);
        }
        if (!on) {
            return null;
        }
        String model = FaceRestoration.DEFAULT_MODEL;
        JsonNode named = settings.get("face_restoration_model");
        if (named != null && !named.isNull()) {
            Optional<String> known = named.isString() ? FaceRestoration.canonical(named.asString()) : Optional.empty();
            if (known.isEmpty()) {
                bad.add(new FieldProblem(settings.field("face_restoration_model"),
                        "must be one of " + FaceRestoration.MODELS));
                return null;
            }
            model = known.get();
        }
        double weight = FaceRestoration.DEFAULT_CODEFORMER_WEIGHT;
        JsonNode w = settings.get("code_former_weight");
        if (w != null && !w.isNull()) {
            Optional<Double> n = Fields.asNumber(w).map(Number::doubleValue).filter(v -> v >= 0 && v <= 1);
            if (n.isEmpty()) {
                bad.add(new FieldProblem(settings.field("code_former_weight"), "must be a number from 0 to 1"));
            }
            weight = n.orElse(weight);
        }
        String missing = FleetFaceRestorers.missing(models, model);
        if (missing != null) {
            unsupported.add(new FieldProblem("restore_faces", missing));
        }
        return new FaceRestoration(model, weight);
    }
}

package io.sdfleet.gateway.a1111;

import io.sdfleet.request.Refiner;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Set;

/**
 * A1111's {@code refiner_checkpoint} and {@code refiner_switch_at} (v1.6's {@code StableDiffusionProcessing}):
 * null, "", "None" or "none" mean no refiner; any other name is found as {@code sd_model_checkpoint} is (name,
 * file name, title or short hash), and one the catalog does not list is refused naming the field (A1111 raises
 * "Could not find checkpoint with name ..."). {@code refiner_switch_at} is a number from 0 to 1, coerced as pydantic
 * reads a float; null, as A1111's API leaves it, makes the refiner take over at the first denoiser call.
 */
final class RefinerFields {

    /** What A1111's processing reads as "no refiner". */
    private static final Set<String> NONE = Set.of("", "None", "none");

    private RefinerFields() {
    }

    /** The refiner asked for, or null for none; problems go to {@code bad}. */
    static Refiner parse(Fields f, JsonNode body, ModelCatalog models, List<FieldProblem> bad) {
        JsonNode switchNode = body.get("refiner_switch_at");
        Double switchAt = switchNode == null || switchNode.isNull() ? null : f.number("refiner_switch_at", 0, 0, 1);
        JsonNode named = body.get("refiner_checkpoint");
        if (named == null || named.isNull()) {
            return null;
        }
        if (!A1111Request.isName(named) && !named.isNumber()) {
            bad.add(new FieldProblem("refiner_checkpoint", "must be a model name (see /sdapi/v1/sd-models)"));
            return null;
        }
        String name = f.text("refiner_checkpoint", null);
        if (name == null || NONE.contains(name)) {
            return null;
        }
        String resolved = models.resolve(name).orElse(null);
        if (resolved == null) {
            bad.add(new FieldProblem("refiner_checkpoint", "Could not find checkpoint with name " + name
                    + " (see /sdapi/v1/sd-models)"));
            return null;
        }
        return new Refiner(resolved, switchAt);
    }
}

package io.sdfleet.gateway.a1111;

import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * A1111 features this fleet has not built yet. Each is accepted at its default or "off" value, so clients that
 * send every field still work; anything else is refused by name rather than silently ignored.
 */
final class Unsupported {

    private Unsupported() {
    }

    static void check(JsonNode body, List<FieldProblem> out) {
        trueIsUnsupported(body, "restore_faces", "face restoration", out);
        numberOtherThan(body, "s_min_uncond", "s_min_uncond", out, 0);
        nonEmpty(body, "alwayson_scripts", "always-on scripts (extensions)", out);
        nonEmpty(body, "script_args", "scripts", out);
        present(body, "script_name", "scripts", out);
        present(body, "refiner_checkpoint", "refiner", out);
        present(body, "firstpass_image", "hires fix from a first-pass image", out);
        present(body, "latent_mask", "a separate latent mask", out);
        numberOtherThan(body, "initial_noise_multiplier", "initial_noise_multiplier", out, 1);
        numberOtherThan(body, "resize_mode", "resize_mode 3 (latent upscale)", out, 0, 1, 2);
        JsonNode round = body.get("mask_round");
        if (round != null && round.isBoolean() && !round.asBoolean()) {
            out.add(new FieldProblem("mask_round", "soft (unrounded) masks are not supported yet"));
        }
        present(body, "infotext", "infotext-filled requests", out);
    }

    private static void trueIsUnsupported(JsonNode body, String field, String feature, List<FieldProblem> out) {
        JsonNode v = body.get(field);
        if (v != null && v.isBoolean() && v.asBoolean()) {
            out.add(new FieldProblem(field, feature + " is not supported yet"));
        }
    }

    private static void numberOtherThan(JsonNode body, String field, String feature, List<FieldProblem> out,
                                        double... accepted) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return;
        }
        if (v.isNumber()) {
            for (double a : accepted) {
                if (v.asDouble() == a) {
                    return;
                }
            }
            if (field.equals("s_tmax") || Double.isInfinite(v.asDouble())) {
                return;
            }
        }
        out.add(new FieldProblem(field, feature + " is not supported yet (accepted: the default)"));
    }

    private static void nonEmpty(JsonNode body, String field, String feature, List<FieldProblem> out) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && !v.isEmpty()) {
            out.add(new FieldProblem(field, feature + " are not supported yet"));
        }
    }

    private static void present(JsonNode body, String field, String feature, List<FieldProblem> out) {
        JsonNode v = body.get(field);
        if (v != null && !v.isNull() && !(v.isString() && v.asString().isEmpty())) {
            out.add(new FieldProblem(field, feature + " not supported yet"));
        }
    }
}

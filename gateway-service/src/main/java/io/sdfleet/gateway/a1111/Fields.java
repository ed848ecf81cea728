package io.sdfleet.gateway.a1111;

import tools.jackson.databind.JsonNode;

import java.util.List;

/** Typed reads of request fields that record a problem (and return the default) instead of throwing. */
final class Fields {

    private final JsonNode body;
    private final List<FieldProblem> problems;

    Fields(JsonNode body, List<FieldProblem> problems) {
        this.body = body;
        this.problems = problems;
    }

    String text(String field, String fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isString()) {
            problems.add(new FieldProblem(field, "must be a string"));
            return fallback;
        }
        if (v.asString().indexOf(0) >= 0) {
            // No prompt or name means anything with NUL in it, and PostgreSQL cannot store it in text or JSON.
            problems.add(new FieldProblem(field, "must not contain NUL characters"));
            return fallback;
        }
        return v.asString();
    }

    /** A string of at most {@code maxLength} characters. */
    String text(String field, String fallback, int maxLength) {
        String value = text(field, fallback);
        if (value != null && value.length() > maxLength) {
            problems.add(new FieldProblem(field, "at most " + maxLength + " characters, got " + value.length()));
            return fallback;
        }
        return value;
    }

    void problem(String field, String message) {
        problems.add(new FieldProblem(field, message));
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && (v.asLong() == 0 || v.asLong() == 1)) {
            return v.asLong() == 1; // A1111 takes 0/1 for some flags (inpainting_mask_invert)
        }
        problems.add(new FieldProblem(field, "must be true or false"));
        return fallback;
    }

    long integer(String field, long fallback, long min, long max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.asDouble() == Math.rint(v.asDouble()))) {
            problems.add(new FieldProblem(field, "must be an integer"));
            return fallback;
        }
        if (!v.canConvertToLong()) { // 1e300, 2^64: asLong() would throw
            problems.add(new FieldProblem(field, "must be between " + min + " and " + max + ", got " + v.asString()));
            return fallback;
        }
        long value = v.asLong();
        if (value < min || value > max) {
            problems.add(new FieldProblem(field, "must be between " + min + " and " + max + ", got " + value));
            return fallback;
        }
        return value;
    }

    double number(String field, double fallback, double min, double max) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            problems.add(new FieldProblem(field, "must be a number"));
            return fallback;
        }
        double value = v.asDouble();
        if (!(value >= min && value <= max)) {
            problems.add(new FieldProblem(field, "must be between " + min + " and " + max + ", got " + value));
            return fallback;
        }
        return value;
    }
}

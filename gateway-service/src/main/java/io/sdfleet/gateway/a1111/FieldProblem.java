package io.sdfleet.gateway.a1111;

/** One bad field of a request: its name and what is wrong. */
public record FieldProblem(String field, String message) {
}

package io.sdfleet.gateway.a1111;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Typed reads of request fields, coercing values as A1111's pydantic (v1) models do — numeric strings, integral
 * floats for integers, {@code "true"}/{@code "off"}/0/1 for booleans, numbers for strings — and recording a problem
 * (returning the fallback) for a value that cannot be coerced or is out of range, instead of throwing. A field read
 * without a fallback takes A1111's default from the field table.
 */
final class Fields {

    private static final Pattern INTEGER_TEXT = Pattern.compile("[+-]?\\d{1,30}");
    private static final Pattern NUMBER_TEXT = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d{1,4})?");
    /** pydantic v1's spellings of true and false. */
    private static final Set<String> TRUE = Set.of("1", "on", "t", "true", "y", "yes");
    private static final Set<String> FALSE = Set.of("0", "off", "f", "false", "n", "no");

    private final JsonNode body;
    private final List<FieldProblem> problems;
    private final Map<String, A1111Field> table;

    Fields(JsonNode body, List<FieldProblem> problems, Map<String, A1111Field> table) {
        this.body = body;
        this.problems = problems;
        this.table = table;
    }

    void problem(String field, String message) {
        problems.add(new FieldProblem(field, message));
    }

    /** The field's value, or null when absent or JSON null. */
    private JsonNode value(String field) {
        JsonNode v = body.get(field);
        return v == null || v.isNull() ? null : v;
    }

    String text(String field, String fallback) {
        JsonNode v = value(field);
        if (v == null) {
            return fallback;
        }
        Optional<String> s = asText(v);
        if (s.isEmpty()) {
            problem(field, "must be a string");
            return fallback;
        }
        if (s.get().indexOf(0) >= 0) {
            // No prompt or name means anything with NUL in it, and PostgreSQL cannot store it in text or JSON.
            problem(field, "must not contain NUL characters");
            return fallback;
        }
        return s.get();
    }

    /** A string of at most {@code maxLength} characters, A1111's default when absent. */
    String text(String field, int maxLength) {
        String value = text(field, (String) table.get(field).defaultValue());
        if (value != null && value.length() > maxLength) {
            problem(field, "at most " + maxLength + " characters, got " + value.length());
            return (String) table.get(field).defaultValue();
        }
        return value;
    }

    boolean bool(String field, boolean fallback) {
        JsonNode v = value(field);
        if (v == null) {
            return fallback;
        }
        Optional<Boolean> b = asBoolean(v);
        if (b.isEmpty()) {
            problem(field, "must be true or false");
            return fallback;
        }
        return b.get();
    }

    boolean bool(String field) {
        return bool(field, (Boolean) table.get(field).defaultValue());
    }

    long integer(String field, long min, long max) {
        return integer(field, ((Number) table.get(field).defaultValue()).longValue(), min, max);
    }

    long integer(String field, long fallback, long min, long max) {
        JsonNode v = value(field);
        if (v == null) {
            return fallback;
        }
        Optional<BigDecimal> n = asInteger(v);
        if (n.isEmpty()) {
            problem(field, "must be an integer");
            return fallback;
        }
        BigDecimal value = n.get();
        if (value.compareTo(BigDecimal.valueOf(min)) < 0 || value.compareTo(BigDecimal.valueOf(max)) > 0) {
            problem(field, "must be between " + min + " and " + max + ", got " + value.toPlainString());
            return fallback;
        }
        return value.longValueExact();
    }

    double number(String field, double min, double max) {
        return number(field, ((Number) table.get(field).defaultValue()).doubleValue(), min, max);
    }

    double number(String field, double fallback, double min, double max) {
        JsonNode v = value(field);
        if (v == null) {
            return fallback;
        }
        Optional<BigDecimal> n = asNumber(v);
        if (n.isEmpty()) {
            problem(field, "must be a number");
            return fallback;
        }
        double value = n.get().doubleValue();
        if (!(value >= min && value <= max)) {
            problem(field, "must be between " + min + " and " + max + ", got " + n.get().toPlainString());
            return fallback;
        }
        return value;
    }

    /** A JSON number, or a string spelling one; never NaN or infinite. */
    static Optional<BigDecimal> asNumber(JsonNode v) {
        if (v.isNumber()) {
            double d = v.asDouble();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return Optional.empty();
            }
            return Optional.of(v.isIntegralNumber() ? new BigDecimal(v.bigIntegerValue()) : new BigDecimal(v.asString()));
        }
        if (v.isString()) {
            String s = v.asString().trim();
            if (s.length() <= 64 && NUMBER_TEXT.matcher(s).matches()) {
                return Optional.of(new BigDecimal(s));
            }
        }
        return Optional.empty();
    }

    /** A whole number (an integral JSON number, float or numeric string), as pydantic reads an int. */
    static Optional<BigDecimal> asInteger(JsonNode v) {
        return asNumber(v).filter(d -> d.stripTrailingZeros().scale() <= 0);
    }

    /** A whole number from {@code min} to {@code max}, else empty. */
    static Optional<BigDecimal> asInteger(JsonNode v, long min, long max) {
        return asInteger(v).filter(d -> d.compareTo(BigDecimal.valueOf(min)) >= 0 && d.compareTo(BigDecimal.valueOf(max)) <= 0);
    }

    static Optional<Boolean> asBoolean(JsonNode v) {
        if (v.isBoolean()) {
            return Optional.of(v.asBoolean());
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && (v.asLong() == 0 || v.asLong() == 1)) {
            return Optional.of(v.asLong() == 1);
        }
        if (v.isString()) {
            String s = v.asString().trim().toLowerCase(Locale.ROOT);
            if (TRUE.contains(s)) {
                return Optional.of(true);
            }
            if (FALSE.contains(s)) {
                return Optional.of(false);
            }
        }
        return Optional.empty();
    }

    /** A string, or a number written as one (pydantic v1 coerces numbers to str). */
    static Optional<String> asText(JsonNode v) {
        if (v.isString()) {
            return Optional.of(v.asString());
        }
        if (v.isNumber()) {
            return Optional.of(v.asString());
        }
        return Optional.empty();
    }

    /** The value as the field's type would hold it after coercion (for the echo), or the value itself when it cannot. */
    static JsonNode coerced(JsonNode v, A1111Field.Type type) {
        if (v == null || v.isNull()) {
            return v;
        }
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        return switch (type) {
            case INTEGER -> asInteger(v)
                    .<JsonNode>map(d -> nodes.numberNode(d.toBigIntegerExact())).orElse(v);
            case NUMBER -> asNumber(v).<JsonNode>map(d -> nodes.numberNode(d.doubleValue())).orElse(v);
            case BOOLEAN -> asBoolean(v).<JsonNode>map(nodes::booleanNode).orElse(v);
            case STRING -> asText(v).<JsonNode>map(nodes::stringNode).orElse(v);
            default -> v;
        };
    }

    /** Whether a value leaves an unbuilt feature off: null, false, "", empty, or one of its off values. */
    static boolean isOff(JsonNode v, A1111Field field) {
        if (v == null || v.isNull() || v.isContainer() && v.isEmpty() || v.isString() && v.asString().isEmpty()) {
            return true;
        }
        if (asBoolean(v).filter(b -> !b).isPresent() && field.type() == A1111Field.Type.BOOLEAN) {
            return true;
        }
        for (Object off : field.offValues()) {
            if (off instanceof Number n && asNumber(v).map(d -> d.compareTo(new BigDecimal(n.toString())) == 0).orElse(false)
                    || off instanceof Boolean b && asBoolean(v).map(b::equals).orElse(false)
                    || off instanceof String s && v.isString() && v.asString().equals(s)) {
                return true;
            }
        }
        return false;
    }
}

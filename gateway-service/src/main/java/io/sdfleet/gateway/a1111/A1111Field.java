package io.sdfleet.gateway.a1111;

import java.util.Arrays;
import java.util.List;

/**
 * One field of A1111's txt2img/img2img request models ({@code StableDiffusionTxt2ImgProcessingAPI} and its img2img
 * twin, pydantic models that ignore unknown fields): its name, the endpoints that have it, its type, A1111's API
 * default, what it does, and how far sdfleet has it. A field for a feature not built yet names that feature and the
 * values that leave it off; only those are accepted, anything else is refused naming the feature.
 *
 * @param offValues for an unbuilt feature, the values besides null, false, "" and empty that mean "not used"
 */
public record A1111Field(String name, Endpoints endpoints, Type type, Object defaultValue, String description,
                         String unbuiltFeature, List<Object> offValues) {

    /** Which request models declare the field. */
    public enum Endpoints {
        BOTH, TXT2IMG, IMG2IMG;

        boolean has(A1111Request.Kind kind) {
            return this == BOTH || this == TXT2IMG && kind == A1111Request.Kind.TXT2IMG
                    || this == IMG2IMG && kind == A1111Request.Kind.IMG2IMG;
        }
    }

    /** The field's pydantic type, which decides how its value is coerced ({@link Fields}). */
    public enum Type { STRING, INTEGER, NUMBER, BOOLEAN, STRING_LIST, LIST, OBJECT }

    static A1111Field of(String name, Endpoints endpoints, Type type, Object defaultValue, String description) {
        return new A1111Field(name, endpoints, type, defaultValue, description, null, List.of());
    }

    /** The same field, for a feature not built yet: only {@code offValues} (and empty values) are accepted. */
    A1111Field unbuilt(String feature, Object... offValues) {
        return new A1111Field(name, endpoints, type, defaultValue, description, feature, Arrays.asList(offValues));
    }

    public boolean supported() {
        return unbuiltFeature == null;
    }
}

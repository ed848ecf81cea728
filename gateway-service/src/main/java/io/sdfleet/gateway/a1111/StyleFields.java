package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.prompt.PromptStyles;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's {@code styles} field: names of prompt styles to apply. A1111 skips names it does not know (clients send
 * {@code ["None"]}); the native API refuses them.
 */
final class StyleFields {

    private StyleFields() {
    }

    static List<String> parse(JsonNode body, Fields f, PromptStyles styles, boolean skipUnknown) {
        JsonNode node = body.get("styles");
        List<String> names = new ArrayList<>();
        if (node == null || node.isNull()) {
            return names;
        }
        if (!node.isArray()) {
            f.problem("styles", "must be a list of style names");
            return names;
        }
        for (JsonNode name : node) {
            if (!name.isString()) {
                f.problem("styles", "must be a list of style names");
            } else if (!styles.has(name.asString()) && skipUnknown) {
                continue;
            } else if (!styles.has(name.asString())) {
                f.problem("styles", "unknown style '" + name.asString() + "' (see /sdapi/v1/prompt-styles)");
            } else {
                names.add(name.asString());
            }
        }
        return names;
    }
}

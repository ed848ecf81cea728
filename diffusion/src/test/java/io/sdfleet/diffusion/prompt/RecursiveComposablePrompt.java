package io.sdfleet.diffusion.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The regex/recursive-descent version this project used before the scanners (kept as a test oracle: the
 * scanners must agree with it on every short prompt). Recursion per character made it overflow on long prompts.
 *
 * <p>
 * A1111's composable-diffusion split ({@code get_multicond_prompt_list}): {@code a cat AND a dog:0.5} is two
 * sub-prompts, each with a weight (default 1) read from a trailing {@code :number}.
 */
final class RecursiveComposablePrompt {

    /** One sub-prompt and its weight. */
    public record Part(String text, double weight) {
    }

    private static final Pattern AND = Pattern.compile("\\bAND\\b");
    private static final Pattern WEIGHT = Pattern.compile("^((?:\\s|.)*?)(?:\\s*:\\s*([-+]?(?:\\d+\\.?|\\d*\\.\\d+)))?\\s*$");

    private RecursiveComposablePrompt() {
    }

    public static List<Part> split(String prompt) {
        List<Part> parts = new ArrayList<>();
        for (String sub : AND.split(prompt, -1)) {
            Matcher m = WEIGHT.matcher(sub);
            if (m.find()) {
                parts.add(new Part(m.group(1), m.group(2) == null ? 1.0 : Double.parseDouble(m.group(2))));
            } else {
                parts.add(new Part(sub, 1.0));
            }
        }
        return parts;
    }
}

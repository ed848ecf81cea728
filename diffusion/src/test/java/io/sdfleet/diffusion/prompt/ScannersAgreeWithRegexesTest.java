package io.sdfleet.diffusion.prompt;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scanners read prompts exactly as the regexes and the recursive descent they replaced did: on many short
 * random prompts built from the syntax's pieces (and the odd characters Java's regex classes treat specially), each
 * stage gives what the old one gave, or fails with the same exception.
 */
class ScannersAgreeWithRegexesTest {

    private static final String[] PIECES = {
        "a", "b", "cat", " ", "  ", ",", "(", ")", "[", "]", ":", "|", "\\", "1", "0.5", ".", "+", "-", "2e1", "e",
        "AND", " AND ", "BREAK", " BREAK ", "\n", "\t", "\r\n", "\u000B", "\u2028", "\u0085", "\u00e9", "\u0301",
        ":1.2)", ": 1.5 )", "::", "x_y", "1.2.3", "<lora:x:1>"};
    private static final int PROMPTS = 40_000;

    @Test
    void composableSplitAgrees() {
        agree(p -> ComposablePrompt.split(p).stream().map(part -> part.text() + "|" + part.weight()).toList(),
                p -> RecursiveComposablePrompt.split(p).stream().map(part -> part.text() + "|" + part.weight()).toList());
    }

    @Test
    void emphasisAgrees() {
        agree(PromptAttention::parse, RecursivePromptAttention::parse);
    }

    @Test
    void scheduleAgrees() {
        agree(p -> List.of(PromptSchedule.of(p, 10).toString(), PromptSchedule.of(p, 10, 4).toString()),
                p -> List.of(RecursivePromptSchedule.of(p, 10).toString(), RecursivePromptSchedule.of(p, 10, 4).toString()));
    }

    private static void agree(Function<String, Object> scanner, Function<String, Object> regex) {
        Random random = new Random(20240611);
        for (int i = 0; i < PROMPTS; i++) {
            StringBuilder prompt = new StringBuilder();
            int pieces = random.nextInt(16);
            for (int j = 0; j < pieces; j++) {
                prompt.append(PIECES[random.nextInt(PIECES.length)]);
            }
            String p = prompt.toString();
            assertThat(outcome(scanner, p)).as("prompt %s", quoted(p)).isEqualTo(outcome(regex, p));
        }
    }

    private static String outcome(Function<String, Object> stage, String prompt) {
        try {
            return String.valueOf(stage.apply(prompt));
        } catch (RuntimeException e) {
            return "throws " + e.getClass().getName();
        }
    }

    private static String quoted(String s) {
        StringBuilder out = new StringBuilder("\"");
        s.chars().forEach(c -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return out.append('"').toString();
    }
}

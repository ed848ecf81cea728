package io.sdfleet.diffusion.infotext;

import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class InfotextTest {

    @Test
    void formatsLikeA1111AndParsesBack() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("Steps", "20");
        p.put("Sampler", "DPM++ 2M");
        p.put("Schedule type", "Karras");
        p.put("CFG scale", "7");
        p.put("Seed", "1234");
        p.put("Size", "512x768");
        p.put("Model hash", "6ce0161689");
        p.put("Model", "v1-5-pruned-emaonly");
        p.put("Lora hashes", "foo: abc123, bar: def");
        Infotext info = new Infotext("a photo of a cat,\nhighly detailed", "blurry", p);

        String text = info.format();

        assertThat(text).isEqualTo("a photo of a cat,\nhighly detailed\nNegative prompt: blurry\n"
                + "Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 1234, Size: 512x768, "
                + "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Lora hashes: \"foo: abc123, bar: def\"");
        Infotext parsed = Infotext.parse(text);
        assertThat(parsed.prompt()).isEqualTo("a photo of a cat,\nhighly detailed");
        assertThat(parsed.negativePrompt()).isEqualTo("blurry");
        assertThat(parsed.parameters()).containsExactlyEntriesOf(p);
    }

    @Test
    void omitsEmptyNegativePrompt() {
        String text = new Infotext("cat", "", Map.of("Steps", "1", "Seed", "2", "Size", "8x8")).format();
        assertThat(text).doesNotContain("Negative prompt");
    }

    /** Gateway fuzz finding: a long quoted value overflowed the stack in the parameter regex (a 500 in png-info). */
    @Test
    void longQuotedValuesDoNotOverflowTheStack() {
        String value = "x".repeat(200_000);
        Infotext parsed = Infotext.parse("a cat\nSteps: 20, Sampler: \"" + value + "\", Seed: 1");
        Assertions.assertThat(parsed.parameters().get("Sampler")).isEqualTo(value);
        Assertions.assertThat(parsed.parameters().get("Seed")).isEqualTo("1");
        // thousands of escapes still recurse per escape: the line is then not read as parameters, without an error
        Infotext escapes = Infotext.parse("a cat\nSteps: \"" + "\\\"".repeat(100_000) + "\", Seed: 1, Size: 8x8");
        Assertions.assertThat(escapes.prompt()).startsWith("a cat");
    }

    @Test
    void quotedValuesStillUnquote() {
        Infotext parsed = Infotext.parse("p\nSteps: 20, Hires prompt: \"a, \\\"b\\\"\", Empty: \"\", Seed: 1");
        Assertions.assertThat(parsed.parameters().get("Hires prompt")).isEqualTo("a, \"b\"");
        Assertions.assertThat(parsed.parameters().get("Empty")).isEqualTo("");
    }
}

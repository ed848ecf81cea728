package io.sdfleet.diffusion.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.testing.Reference;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ClipTokenizerTest {

    @Test
    void matchesOpenAiIdsFromVocabJsonAndMerges() {
        checkEveryCase(ClipTokenizer.load(Reference.file("clip-tokenizer")));
    }

    /** Prompts come from users: distinct or very long words must not grow the BPE cache without end. */
    @Test
    void theWordCacheStaysBoundedAndTheIdsStayTheSame() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Reference.file("clip-tokenizer"));
        int[] before = tokenizer.encode("zq" + "x".repeat(200) + " lighthouse");
        Random random = new Random(7);
        StringBuilder words = new StringBuilder();
        for (int i = 0; i < ClipTokenizer.MAX_CACHED_WORDS + 5_000; i++) {
            words.append(Long.toString(random.nextLong() & Long.MAX_VALUE, 36).replaceAll("[0-9]", "q")).append(' ');
            if (words.length() > 50_000) {
                tokenizer.encode(words.toString());
                words.setLength(0);
            }
        }
        tokenizer.encode(words.toString());
        Assertions.assertThat(tokenizer.cachedWords()).isLessThanOrEqualTo(ClipTokenizer.MAX_CACHED_WORDS);
        Assertions.assertThat(tokenizer.encode("zq" + "x".repeat(200) + " lighthouse")).isEqualTo(before);
    }

    @Test
    void matchesOpenAiIdsFromTheGzippedBpeFile() {
        checkEveryCase(ClipTokenizer.load(Reference.file("clip-tokenizer/bpe_simple_vocab_16e6.txt.gz")));
    }

    private static void checkEveryCase(ClipTokenizer tokenizer) {
        JsonNode cases = Reference.json("cases/tokenizer.json").path("cases");
        assertThat(cases.size()).isPositive();
        for (JsonNode c : cases) {
            String prompt = c.path("prompt").asText();
            assertThat(tokenizer.encode(prompt)).as("BPE ids of \"%s\"", prompt)
                    .containsExactly(ints(c.path("bpe_ids_no_special")));
            assertThat(tokenizer.inputIds77(prompt)).as("77 input ids of \"%s\"", prompt)
                    .containsExactly(longs(c.path("input_ids_77")));
            List<String> tokens = new ArrayList<>();
            for (int id : tokenizer.encode(prompt)) {
                tokens.add(tokenizer.token(id));
            }
            List<String> expected = new ArrayList<>();
            c.path("bpe_tokens").forEach(t -> expected.add(t.asText()));
            assertThat(tokens).as("BPE tokens of \"%s\"", prompt).isEqualTo(expected);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}

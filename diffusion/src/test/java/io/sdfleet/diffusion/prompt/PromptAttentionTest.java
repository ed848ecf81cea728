package io.sdfleet.diffusion.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PromptAttentionTest {

    @Test
    void parsesEveryReferencePromptExactlyAsA1111() {
        JsonNode cases = Reference.json("cases/prompt_syntax.json").path("parse_prompt_attention");
        assertThat(cases.size()).isPositive();
        for (JsonNode c : cases) {
            List<WeightedText> expected = new ArrayList<>();
            for (JsonNode piece : c.path("parse_prompt_attention")) {
                expected.add(new WeightedText(piece.get(0).asText(), piece.get(1).asDouble()));
            }
            assertThat(PromptAttention.parse(c.path("prompt").asText())).as("parse of %s", c.path("prompt"))
                    .isEqualTo(expected);
        }
    }
}

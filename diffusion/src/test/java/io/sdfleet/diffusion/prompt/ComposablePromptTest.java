package io.sdfleet.diffusion.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ComposablePromptTest {

    @Test
    void splitsLikeA1111() {
        JsonNode cases = Reference.json("cases/prompt_syntax.json").path("multicond_AND");
        assertThat(cases.size()).isPositive();
        for (JsonNode c : cases) {
            List<ComposablePrompt.Part> parts = ComposablePrompt.split(c.path("prompt").asText());
            List<String> texts = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            parts.forEach(p -> {
                texts.add(p.text());
                weights.add(p.weight());
            });
            List<String> expectedTexts = new ArrayList<>();
            c.path("flat").forEach(t -> expectedTexts.add(t.asText()));
            List<Double> expectedWeights = new ArrayList<>();
            c.path("indexes").get(0).forEach(pair -> expectedWeights.add(pair.get(1).asDouble()));
            assertThat(texts).as("texts of %s", c.path("prompt")).isEqualTo(expectedTexts);
            assertThat(weights).as("weights of %s", c.path("prompt")).isEqualTo(expectedWeights);
        }
    }
}

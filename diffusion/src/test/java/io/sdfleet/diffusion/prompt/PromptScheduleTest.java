package io.sdfleet.diffusion.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PromptScheduleTest {

    @Test
    void matchesEveryA1111ReferenceSchedule() {
        JsonNode cases = Reference.json("cases/prompt_syntax.json").path("prompt_schedules");
        assertThat(cases.size()).isPositive();
        for (JsonNode c : cases) {
            List<PromptSchedule.Entry> expected = new ArrayList<>();
            c.path("schedule").forEach(e -> expected.add(new PromptSchedule.Entry(e.get(0).asInt(), e.get(1).asText())));
            Integer hires = c.path("hires_steps").isNull() ? null : c.path("hires_steps").asInt();
            assertThat(PromptSchedule.of(c.path("prompt").asText(), c.path("steps").asInt(), hires))
                    .as("schedule of %s", c.path("prompt")).isEqualTo(expected);
        }
    }

    @Test
    void looksUpTheTextInForceAtAStep() {
        List<PromptSchedule.Entry> schedule = PromptSchedule.of("a [cat:dog:3]", 6);
        assertThat(PromptSchedule.at(schedule, 1)).isEqualTo("a cat");
        assertThat(PromptSchedule.at(schedule, 3)).isEqualTo("a cat");
        assertThat(PromptSchedule.at(schedule, 4)).isEqualTo("a dog");
    }
}

package io.sdfleet.diffusion.prompt;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptStylesTest {

    @Test
    void stylesFromA1111sCsvWrapOrExtendThePrompt(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("styles.csv");
        Files.writeString(csv, """
                name,prompt,negative_prompt
                cinematic,"cinematic still of {prompt}, shallow depth of field","cartoon, \"\"anime\"\""
                sharp,"highly detailed, 8k",
                """);
        PromptStyles styles = PromptStyles.load(csv);
        assertThat(styles.all()).extracting(PromptStyles.Style::name).containsExactly("cinematic", "sharp");

        PromptStyles.Styled styled = styles.apply("a fox", "blurry", List.of("cinematic", "sharp"));
        assertThat(styled.prompt()).isEqualTo("cinematic still of a fox, shallow depth of field, highly detailed, 8k");
        assertThat(styled.negativePrompt()).isEqualTo("blurry, cartoon, \"anime\"");
        assertThat(PromptStyles.merge("", "a fox")).isEqualTo("a fox");
        assertThatThrownBy(() -> styles.apply("x", "", List.of("nope"))).hasMessageContaining("nope");
        assertThat(PromptStyles.load(dir.resolve("missing.csv")).all()).isEmpty();
    }
}

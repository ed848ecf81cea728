package io.sdfleet.diffusion.loading;

import io.sdfleet.diffusion.model.NoisePredictor.Prediction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one key read from A1111's {@code <checkpoint>.yaml}, in the spellings YAML allows for it. */
class CheckpointYamlTest {

    @TempDir
    Path dir;

    @Test
    void readsQuotedUnquotedAndCommentedValues() throws IOException {
        assertThat(predictionFor("    parameterization: \"v\"")).contains(Prediction.V);
        assertThat(predictionFor("    parameterization: 'v'")).contains(Prediction.V);
        assertThat(predictionFor("    parameterization: v   # v2-inference-v")).contains(Prediction.V);
        assertThat(predictionFor("    parameterization: eps")).contains(Prediction.EPSILON);
    }

    @Test
    void absentKeyIsLdmsDefaultAndAbsentFileSaysNothing() throws IOException {
        assertThat(predictionFor("    linear_start: 0.00085")).contains(Prediction.EPSILON);
        assertThat(CheckpointYaml.predictionNear(dir.resolve("none.safetensors"))).isEmpty();
    }

    @Test
    void unknownValueIsAnError() throws IOException {
        assertThatThrownBy(() -> predictionFor("    parameterization: x0"))
                .hasMessageContaining("unknown parameterization 'x0'");
    }

    private Optional<Prediction> predictionFor(String line) throws IOException {
        Path checkpoint = dir.resolve("model.safetensors");
        Files.writeString(CheckpointYaml.beside(checkpoint), "model:\n  params:\n" + line + "\n");
        assertThat(CheckpointYaml.beside(checkpoint).getFileName().toString()).isEqualTo("model.yaml");
        return CheckpointYaml.predictionNear(checkpoint);
    }
}

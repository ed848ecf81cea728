package io.sdfleet.diffusion.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointKeysTest {

    @Test
    void theMiniCheckpointsExtrasAreExactlyTheKnownOnes() {
        SafetensorsFile mini = Reference.tensors("mini_sd15_fp32.safetensors");
        Set<String> extras = mini.keys().stream().filter(CheckpointKeys::isKnownExtra).collect(Collectors.toSet());
        Set<String> outsideTheModels = mini.keys().stream()
                .filter(k -> !k.startsWith("model.diffusion_model.") && !k.startsWith("first_stage_model.")
                        && !k.startsWith("cond_stage_model."))
                .collect(Collectors.toSet());
        assertThat(outsideTheModels).hasSize(12).isEqualTo(CheckpointKeys.DDPM_BUFFERS);
        assertThat(extras).containsAll(outsideTheModels)
                .contains("cond_stage_model.transformer.text_model.embeddings.position_ids")
                .hasSize(13);
    }

    @Test
    void modelParametersAreNeverSkippedByRule() {
        assertThat(CheckpointKeys.isKnownExtra("model_ema.diffusion_modelinput_blocks00weight")).isTrue();
        assertThat(CheckpointKeys.isKnownExtra("lvlb_weights")).isTrue();
        assertThat(CheckpointKeys.isKnownExtra("logvar")).isTrue();
        assertThat(CheckpointKeys.isKnownExtra("model.diffusion_model.input_blocks.0.0.weight")).isFalse();
        assertThat(CheckpointKeys.isKnownExtra("model.diffusion_model.betas")).isFalse();
        assertThat(CheckpointKeys.isKnownExtra("first_stage_model.encoder.conv_in.weight")).isFalse();
    }

    @Test
    void compareNamesMissingAndUnexpectedKeys() {
        KeyReport report = CheckpointKeys.compare(
                List.of("model.diffusion_model.out.2.weight", "model.diffusion_model.out.2.bias"),
                List.of("model.diffusion_model.out.2.weight", "betas", "model_ema.decay", "control_model.zero_convs.0.0.weight"));
        assertThat(report.missing()).containsExactly("model.diffusion_model.out.2.bias");
        assertThat(report.unexpected()).containsExactly("control_model.zero_convs.0.0.weight");
        assertThat(report).hasToString("missing: model.diffusion_model.out.2.bias;"
                + " unexpected: control_model.zero_convs.0.0.weight");
        assertThatThrownBy(() -> report.throwIfNotClean("sd15.safetensors"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("sd15.safetensors")
                .hasMessageContaining("missing: model.diffusion_model.out.2.bias");
    }

    @Test
    void afterLoadReportsUnreadKeysButNotKnownExtras(@TempDir Path dir) {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .putFloats("model.diffusion_model.out.2.weight", new long[] {1}, new float[] {1})
                .putFloats("model.diffusion_model.out.2.bias", new long[] {1}, new float[] {1})
                .putFloats("alphas_cumprod", new long[] {1}, new float[] {1})
                .putFloats("model_ema.num_updates", new long[] {1}, new float[] {1})
                .write(file);
        try (NDManager manager = Torch.newManager(Device.cpu()); TensorSource source = CheckpointFiles.open(file)) {
            Weights weights = Weights.of(source, manager, DataType.FLOAT32);
            weights.at("model.diffusion_model.out.2").take("weight");
            KeyReport report = CheckpointKeys.afterLoad(weights.unconsumed());
            assertThat(report.missing()).isEmpty();
            assertThat(report.unexpected()).containsExactly("model.diffusion_model.out.2.bias");

            weights.at("model.diffusion_model.out.2").take("bias");
            assertThat(CheckpointKeys.afterLoad(weights.unconsumed()).isClean()).isTrue();
        }
    }
}

package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.starter.RandomModel;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class RandomModelTest {

    @Test
    void starterModelLoadsCleanlyAndGenerates(@TempDir Path dir) throws Exception {
        Path checkpoint = RandomModel.ensure(dir);
        long written = Files.getLastModifiedTime(checkpoint).toMillis();
        assertThat(RandomModel.ensure(dir)).isEqualTo(checkpoint);
        assertThat(Files.getLastModifiedTime(checkpoint).toMillis()).as("not rewritten").isEqualTo(written);

        try (StableDiffusionModel model = StableDiffusionModel.load(checkpoint, ModelOptions.cpu(null))) {
            GenerationParameters p = new GenerationParameters(new Prompt("a (tiny) test", "", 1),
                    new ImageSize(64, 64), new Batch(2, 1), Noise.of(1),
                    new Sampling("Euler a", "Automatic", 2, 7));
            GenerationResult result = new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);
            assertThat(result.images()).hasSize(2);
            assertThat(result.images().get(0).infotext()).contains("Model: sdfleet-random-mini");
        }
    }
}

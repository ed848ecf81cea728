package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.starter.RandomModel;
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
            GenerationParameters p = new GenerationParameters("a (tiny) test", "", "Euler a", "Automatic", 2, 7, 1,
                    64, 64, 2, 1);
            GenerationResult result = new Txt2Img(model).generate(p, Optional.empty(), ProgressListener.NONE);
            assertThat(result.images()).hasSize(2);
            assertThat(result.images().get(0).infotext()).contains("Model: sdfleet-random-mini");
        }
    }
}

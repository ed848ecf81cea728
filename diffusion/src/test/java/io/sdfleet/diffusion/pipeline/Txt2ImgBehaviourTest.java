package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.image.PngFiles;
import io.sdfleet.diffusion.infotext.Infotext;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** What users rely on beyond the reference numbers: seeds per image, sizes, prompt editing, every sampler runs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Txt2ImgBehaviourTest {

    private StableDiffusionModel model;

    @BeforeAll
    void load() {
        model = MiniModel.load();
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    private GenerationResult run(String prompt, String sampler, long seed, int width, int height, int batch) {
        GenerationParameters p = new GenerationParameters(new Prompt(prompt, "ugly", 1),
                new ImageSize(width, height), new Batch(batch, 1), Noise.of(seed),
                new Sampling(sampler, "Automatic", 4, 7));
        return new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);
    }

    @Test
    void imageKOfABatchEqualsARunOfSeedPlusKAlone() {
        GenerationResult batch = run("a red house", "Euler a", 77, 64, 64, 2);
        GenerationResult second = run("a red house", "Euler a", 78, 64, 64, 1);

        int perImage = second.latents().length;
        float[] batchSecond = Arrays.copyOfRange(batch.latents(), perImage, 2 * perImage);
        // Equal up to fp32 batch-size effects in the kernels (latents reach |x| ≈ 100).
        assertThat(Tensors.maxAbs(batchSecond, second.latents())).isLessThan(2e-3);
        assertThat(batch.images()).extracting(GeneratedImage::seed).containsExactly(77L, 78L);
        Infotext info = Infotext.parse(PngFiles.readText(batch.images().get(1).png()).get("parameters"));
        assertThat(info.parameters()).containsEntry("Seed", "78").containsEntry("Sampler", "Euler a");
        assertThat(info.negativePrompt()).isEqualTo("ugly");
    }

    @Test
    void nonSquareSizesWhoseLatentIsNotAMultipleOf8Work() {
        GenerationResult result = run("a tree", "Euler", 5, 72, 48, 1);
        assertThat(result.latentShape()).containsExactly(1, 4, 6, 9);
        assertThat(result.images().get(0).image().getWidth()).isEqualTo(72);
        assertThat(result.images().get(0).image().getHeight()).isEqualTo(48);
    }

    @Test
    void promptEditingChangesTheConditioningDuringTheRun() {
        float[] plain = run("a cat", "Euler", 9, 64, 64, 1).latents();
        float[] sameBothSides = run("a [cat:cat:1]", "Euler", 9, 64, 64, 1).latents();
        float[] edited = run("a [cat:dog:1]", "Euler", 9, 64, 64, 1).latents();

        assertThat(Tensors.maxAbs(sameBothSides, plain)).isLessThan(1e-5);
        assertThat(Tensors.maxAbs(edited, plain)).isGreaterThan(1e-3);
    }

    @Test
    void everySamplerInTheCatalogProducesFiniteLatents() {
        for (SamplerSpec sampler : SamplerCatalog.all()) {
            float[] latents = run("a boat", sampler.name(), 3, 64, 64, 1).latents();
            for (float v : latents) {
                assertThat(Float.isFinite(v)).as("%s gives finite latents", sampler.name()).isTrue();
            }
        }
    }

    @Test
    void unknownSamplerOrSchedulerIsRejectedByName() {
        GenerationParameters p = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Eulr", "Automatic", 4, 7));
        Assertions.assertThatThrownBy(() -> new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE))
                .hasMessageContaining("unknown sampler 'Eulr'").hasMessageContaining("DPM++ 2M");
        GenerationParameters q = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(1),
                new Sampling("Euler", "Karas", 4, 7));
        Assertions.assertThatThrownBy(() -> new ImageGeneration(model).generate(q, Optional.empty(), ProgressListener.NONE))
                .hasMessageContaining("unknown scheduler 'Karas'");
    }
}

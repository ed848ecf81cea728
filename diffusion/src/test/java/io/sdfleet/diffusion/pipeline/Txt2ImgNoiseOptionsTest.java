package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.infotext.Infotext;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.RngSource;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The noise options through txt2img: batch seeds as A1111 assigns them, their effect, and their infotext keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Txt2ImgNoiseOptionsTest {

    /** A1111's default noise around the seed every run here uses. */
    private static final Noise SEED_40 = Noise.of(40);

    private StableDiffusionModel model;

    @BeforeAll
    void load() {
        // the small part-2 model: these runs only compare noise options with each other
        model = StableDiffusionModel.load(Reference.file("features/models/mini_sd1.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    private final Map<String, GenerationResult> runs = new HashMap<>();

    /** Runs are deterministic, so tests share them. */
    private GenerationResult run(String sampler, int batch, Noise noise) {
        return runs.computeIfAbsent(sampler + "/" + batch + "/" + noise, key -> generate(sampler, batch, noise));
    }

    private GenerationResult generate(String sampler, int batch, Noise noise) {
        GenerationParameters p = new GenerationParameters(new Prompt("a red house", "", 1),
                new ImageSize(64, 64), new Batch(batch, 1), Noise.of(40),
                new Sampling(sampler, "Automatic", 3, 7)).withNoise(noise);
        return new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);
    }

    private static Map<String, String> infotext(GenerationResult result, int image) {
        return Infotext.parse(result.images().get(image).infotext()).parameters();
    }

    @Test
    void aVariedBatchKeepsTheSeedAndStepsTheVariationSeed() {
        GenerationParameters p = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(3, 1), Noise.of(40),
                new Sampling("Euler", "Automatic", 3, 7))
                .withNoise(SEED_40.withVariation(900, 0.5));
        assertThat(new long[] {p.noise().seedOf(0), p.noise().seedOf(2)}).containsExactly(40, 40);
        assertThat(new long[] {p.noise().subseedOf(0), p.noise().subseedOf(2)}).containsExactly(900, 902);
        GenerationParameters plain = p.withNoise(SEED_40);
        assertThat(plain.noise().seedOf(2)).isEqualTo(42);
    }

    @Test
    void variationBatchRecordsEachImagesVariationSeed() {
        GenerationResult result = run("Euler", 2, SEED_40.withVariation(900, 0.5));
        assertThat(infotext(result, 1)).containsEntry("Seed", "40").containsEntry("Variation seed", "901")
                .containsEntry("Variation seed strength", "0.5").containsEntry("RNG", "CPU");
        assertThat(result.images()).extracting(GeneratedImage::seed).containsExactly(40L, 40L);
    }

    @Test
    void nvSourceSeedResizeAndEnsdAreRecordedLikeA1111() {
        Noise options = SEED_40.withSource(RngSource.NV).withSeedResizeFrom(48, 32).withEtaNoiseSeedDelta(31337);
        GenerationResult ancestral = run("Euler a", 1, options);
        assertThat(infotext(ancestral, 0)).containsEntry("RNG", "NV").containsEntry("Seed resize from", "48x32")
                .containsEntry("ENSD", "31337").doesNotContainKey("Variation seed");
        assertThat(ancestral.images().get(0).infotext()).contains("Seed resize from: 48x32, ENSD: 31337, RNG: NV, Version:");
        // A1111 writes ENSD only for samplers that draw step noise.
        assertThat(infotext(run("Euler", 1, options), 0)).doesNotContainKey("ENSD");
        assertThat(infotext(run("Euler", 1, SEED_40), 0)).containsEntry("RNG", "CPU")
                .doesNotContainKeys("ENSD", "Seed resize from", "Variation seed", "Variation seed strength");
    }

    @Test
    void ensdMovesAncestralResultsButNotDeterministicOnes() {
        Noise ensd = SEED_40.withEtaNoiseSeedDelta(31337);
        assertThat(run("Euler", 1, ensd).latents()).containsExactly(run("Euler", 1, SEED_40).latents());
        assertThat(run("Euler a", 1, ensd).latents()).isNotEqualTo(run("Euler a", 1, SEED_40).latents());
    }

    @Test
    void outOfRangeNoiseOptionsAreRejectedByName() {
        GenerationParameters p = new GenerationParameters(new Prompt("x", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(40),
                new Sampling("Euler", "Automatic", 3, 7))
                .withNoise(SEED_40.withVariation(-1, 1.5));
        assertThat(p.problems()).anyMatch(s -> s.startsWith("subseed_strength"))
                .anyMatch(s -> s.startsWith("subseed must be resolved"));
    }
}

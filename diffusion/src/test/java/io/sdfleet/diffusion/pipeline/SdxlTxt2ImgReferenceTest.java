package io.sdfleet.diffusion.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.networks.NetworkDirectories;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.ModelType;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.sampling.StepCallback;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.ModelChoice;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Refiner;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whole SDXL generations through {@link ImageGeneration} against A1111's (sdxl/cases/txt2img_*, refiner_*): the seed
 * alone draws the noise, the conditioning (both towers, size and crop features, the zeroed empty negative) guides the
 * UNet, and the latent decodes with SDXL's scale factor. Gates from the reference README: final latent ≤ 1e-3 ×
 * max|x|, image01 ≤ 2e-3 (as 8 bits: ±1 level of truncation besides).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SdxlTxt2ImgReferenceTest {

    private StableDiffusionModel base;
    private StableDiffusionModel refiner;

    @BeforeAll
    void load() {
        ModelOptions options = ModelOptions.cpu(Reference.file("clip-tokenizer"));
        base = StableDiffusionModel.load(Reference.file("sdxl/models/mini_sdxl_base.safetensors"), options);
        refiner = StableDiffusionModel.load(Reference.file("sdxl/models/mini_sdxl_refiner.safetensors"), options);
    }

    @AfterAll
    void close() {
        if (base != null) {
            base.close();
        }
        if (refiner != null) {
            refiner.close();
        }
    }

    @Test
    void eulerWithTheEmptyNegative() {
        assertThat(base.type()).isEqualTo(ModelType.SDXL);
        assertMatches("txt2img_euler", new ImageGeneration(base).generate(parameters("txt2img_euler", null),
                Optional.empty(), ProgressListener.NONE));
    }

    @Test
    void dpmpp2mKarrasWithANegativePrompt() {
        assertMatches("txt2img_dpmpp_2m_karras", new ImageGeneration(base)
                .generate(parameters("txt2img_dpmpp_2m_karras", null), Optional.empty(), ProgressListener.NONE));
    }

    @Test
    void aWideImageWithA1111sCropSettings() {
        assertMatches("txt2img_euler_96x64_crop", new ImageGeneration(base)
                .generate(parameters("txt2img_euler_96x64_crop", null), Optional.empty(), ProgressListener.NONE));
    }

    @Test
    void theRefinerTakesOverAtTheSwitchPointAndDecodes() {
        String name = "refiner_euler_switch_0.8";
        JsonNode request = Reference.json("sdxl/cases/" + name + ".json").path("a1111_request");
        Refiner asked = new Refiner(request.path("refiner_checkpoint").asText(), request.path("refiner_switch_at").asDouble());
        List<Integer> steps = new ArrayList<>();
        ProgressListener counting = new ProgressListener() {
            @Override
            public void onStep(int step, int total, double elapsedSeconds) {
                steps.add(step);
            }
        };
        GenerationResult result = new ImageGeneration(base).withRefiner(refiner)
                .generate(parameters(name, asked), Optional.empty(), counting);
        assertMatches(name, result);
        assertThat(steps).hasSize(request.path("steps").asInt());
        assertThat(result.images().getFirst().infotext())
                .contains("Refiner: mini_sdxl_refiner [" + refiner.shortHash() + "], Refiner switch at: 0.8");

        // a refiner the caller did not load is an error before anything runs, not a silent base-only run
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new ImageGeneration(base)
                        .generate(parameters(name, asked), Optional.empty(), ProgressListener.NONE))
                .hasMessageContaining("refiner_checkpoint mini_sdxl_refiner is not loaded");

        // never reaching the switch point, the run is the base's alone and says nothing of a refiner
        GenerationResult unrefined = new ImageGeneration(base).withRefiner(refiner)
                .generate(parameters(name, new Refiner("mini_sdxl_refiner", 1.0)), Optional.empty(),
                        ProgressListener.NONE);
        assertThat(unrefined.images().getFirst().infotext()).doesNotContain("Refiner");
        try (SafetensorsFile ref = Reference.tensors("sdxl/cases/" + name + ".safetensors")) {
            assertThat(Tensors.maxAbs(unrefined.latents(), ref.get("latent").toFloats())).isGreaterThan(1e-2);
        }
    }

    @Test
    void anSdxlEmbeddingNamedInThePromptConditionsTheRun(@TempDir Path dir) throws Exception {
        Path embeddings = Files.createDirectories(dir.resolve("embeddings"));
        java.util.Random random = new java.util.Random(7);
        float[] clipL = new float[16];
        float[] clipG = new float[32];
        for (int i = 0; i < clipL.length; i++) {
            clipL[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < clipG.length; i++) {
            clipG[i] = (float) random.nextGaussian();
        }
        new SafetensorsWriter().putFloats("clip_l", new long[] {1, 16}, clipL)
                .putFloats("clip_g", new long[] {1, 32}, clipG).write(embeddings.resolve("minixl.safetensors"));
        NetworkDirectories networks = new NetworkDirectories(Optional.empty(), Optional.of(embeddings),
                Optional.empty());
        GenerationParameters with = new GenerationParameters(new Prompt("a photo of minixl", "", 1),
                new ImageSize(64, 64), new Batch(1, 1), Noise.of(3), new Sampling("Euler", "Automatic", 2, 7));
        GenerationResult embedded = new ImageGeneration(base, networks).generate(with, Optional.empty(),
                ProgressListener.NONE);
        GenerationResult plain = new ImageGeneration(base).generate(with, Optional.empty(), ProgressListener.NONE);
        assertThat(Tensors.maxAbs(embedded.latents(), plain.latents())).as("the embedding's vectors were used")
                .isGreaterThan(1e-3);
    }

    @Test
    void everySamplerRunsOnSdxlAndHandsOverToTheRefiner() {
        ImageGeneration generation = new ImageGeneration(base).withRefiner(refiner);
        for (io.sdfleet.diffusion.sampling.SamplerSpec sampler : io.sdfleet.diffusion.sampling.SamplerCatalog.all()) {
            GenerationParameters p = new GenerationParameters(new Prompt("a lighthouse", "fog", 1),
                    new ImageSize(64, 64), new Batch(1, 1), Noise.of(11), new Sampling(sampler.name(), "Automatic", 4, 6))
                    .withModels(new ModelChoice(null, null, new Refiner("mini_sdxl_refiner", 0.5)));
            GenerationResult result = generation.generate(p, Optional.empty(), ProgressListener.NONE);
            float[] latents = result.latents();
            boolean finite = true;
            for (float v : latents) {
                finite &= Float.isFinite(v);
            }
            assertThat(finite).as(sampler.name()).isTrue();
            assertThat(result.images().getFirst().infotext()).as(sampler.name())
                    .contains("Sampler: " + sampler.name()).contains("Refiner: mini_sdxl_refiner");
        }
    }

    @Test
    void theHiresFixRunsOnSdxlWithTheRefinerInItsSecondPass() {
        GenerationParameters p = new GenerationParameters(new Prompt("a lighthouse", "", 1), new ImageSize(64, 64),
                new Batch(1, 1), Noise.of(5), new Sampling("Euler", "Automatic", 4, 6))
                .withHires(new io.sdfleet.request.HiresFix(1.5, 0, 0, "Latent", 4, 0.6, null, null, null, null))
                .withModels(new ModelChoice(null, null, new Refiner("mini_sdxl_refiner", 0.5)));
        GenerationResult result = new ImageGeneration(base).withRefiner(refiner).generate(p, Optional.empty(),
                ProgressListener.NONE);
        assertThat(result.images().getFirst().image().getWidth()).isEqualTo(96);
        assertThat(result.images().getFirst().infotext()).contains("Hires upscale: 1.5")
                .contains("Refiner: mini_sdxl_refiner");
        GenerationResult plain = new ImageGeneration(base).generate(p.withModels(ModelChoice.DEFAULTS),
                Optional.empty(), ProgressListener.NONE);
        assertThat(plain.images().getFirst().infotext()).doesNotContain("Refiner");
        assertThat(Tensors.maxAbs(result.latents(), plain.latents())).isGreaterThan(1e-3);
    }

    private static GenerationParameters parameters(String name, Refiner refiner) {
        JsonNode json = Reference.json("sdxl/cases/" + name + ".json");
        JsonNode r = json.path("a1111_request");
        JsonNode options = json.path("options");
        return new GenerationParameters(new Prompt(r.path("prompt").asText(), r.path("negative").asText(), 1),
                new ImageSize(r.path("width").asInt(), r.path("height").asInt(), options.path("sdxl_crop_top").asInt(),
                        options.path("sdxl_crop_left").asInt()),
                new Batch(1, 1), Noise.of(r.path("seed").asLong()),
                new Sampling(r.path("sampler_name").asText(), r.path("scheduler").asText(), r.path("steps").asInt(),
                        r.path("cfg_scale").asDouble()))
                .withModels(new ModelChoice(null, null, refiner));
    }

    private static void assertMatches(String name, GenerationResult result) {
        try (SafetensorsFile ref = Reference.tensors("sdxl/cases/" + name + ".safetensors")) {
            float[] expected = ref.get("latent").toFloats();
            double err = Tensors.maxAbs(result.latents(), expected);
            double scale = Tensors.maxAbs(new float[expected.length], expected);
            int pixelErr = maxLevelError(result.images().getFirst().image(), ref.get("image01").toFloats());
            System.out.printf("%s: latent max-abs %.3g (rel %.3g of max|x| %.3g), image01 max %d levels%n", name, err,
                    err / scale, scale, pixelErr);
            assertThat(err / scale).as("latent").isLessThanOrEqualTo(1e-3);
            assertThat(pixelErr).as("image01 as 8 bits").isLessThanOrEqualTo(1);
        }
    }

    /** Largest difference between an 8-bit image and a [1, 3, H, W] image in [0, 1] truncated to 8 bits (A1111). */
    private static int maxLevelError(BufferedImage image, float[] chw) {
        int w = image.getWidth();
        int h = image.getHeight();
        int worst = 0;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                int[] actual = {(rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF};
                for (int c = 0; c < 3; c++) {
                    int expected = (int) (255f * chw[(c * h + y) * w + x]);
                    worst = Math.max(worst, Math.abs(actual[c] - expected));
                }
            }
        }
        return worst;
    }
}

package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.testing.MiniModel;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Whole txt2img runs on the mini SD 1.5 against the reference cases: final latents and decoded images. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Txt2ImgReferenceTest {

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

    @ParameterizedTest
    @ValueSource(strings = {"cases/txt2img_euler", "cases/txt2img_euler_a", "cases/txt2img_dpmpp_2m_karras",
            "cases/txt2img_ddim", "a1111/cases/txt2img_dpm2", "a1111/cases/txt2img_euler_karras"})
    void matchesReferenceLatentAndImageWithTheCaseNoise(String name) {
        JsonNode json = Reference.json(name + ".json");
        SafetensorsFile tensors = Reference.tensors(name + ".safetensors");
        GenerationParameters p = parameters(json);

        GenerationResult result = new ImageGeneration(model).generate(p,
                Optional.of(NoiseFile.read(Reference.file(name + ".safetensors"))), ProgressListener.NONE);

        double latentError = Tensors.maxAbs(result.latents(), tensors.get("latent").toFloats());
        assertThat(latentError).as("max |latent − reference| for %s", name).isLessThanOrEqualTo(2e-3);
        try (NDManager m = model.manager().newSubManager()) {
            NDArray latents = m.create(result.latents(), new Shape(result.latentShape()));
            NDArray image01 = model.vae().decode(latents.div(AutoencoderKL.SD_SCALE_FACTOR)).add(1).div(2).clip(0, 1);
            assertThat(Tensors.maxAbs(image01, tensors.get("image01"))).as("image01 of %s", name).isLessThanOrEqualTo(1e-3);
        }
        System.out.printf("%s: max |latent error| %.2e%n", name, latentError);
    }

    @Test
    void promptAndNegativeOfDifferentLengthsRunAsSeparateUNetCallsLikeA1111() {
        String name = "a1111/cases/txt2img_a1111_2chunk_prompt";
        JsonNode json = Reference.json(name + ".json");
        GenerationParameters p = new GenerationParameters(new Prompt(json.path("prompt").asText(), json.path("negative_prompt").asText(), json.path("clip_skip").asInt()),
                new ImageSize(json.path("width").asInt(), json.path("height").asInt()), new Batch(1, 1), Noise.of(json.path("seed").asLong()),
                new Sampling("Euler", "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble()));

        GenerationResult result = new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);

        double error = Tensors.maxAbs(result.latents(), Reference.tensors(name + ".safetensors").get("latent").toFloats());
        assertThat(error).isLessThanOrEqualTo(2e-3);
        System.out.printf("%s: max |latent error| %.2e%n", name, error);
    }

    @Test
    void seedAloneReproducesTheCaseNoiseAndResult() {
        String name = "cases/txt2img_euler";
        JsonNode json = Reference.json(name + ".json");
        GenerationResult result = new ImageGeneration(model).generate(parameters(json), Optional.empty(), ProgressListener.NONE);
        double error = Tensors.maxAbs(result.latents(), Reference.tensors(name + ".safetensors").get("latent").toFloats());
        assertThat(error).isLessThanOrEqualTo(2e-3);
        assertThat(result.images()).hasSize(1);
        assertThat(result.images().get(0).infotext()).contains("Seed: 1000", "Sampler: Euler", "Size: 64x64");
    }

    /** The case's sampler under our name: CompVis DDIM is "DDIM CompVis"; A1111 cases name their scheduler. */
    private static GenerationParameters parameters(JsonNode json) {
        JsonNode shape = json.path("latent_shape");
        String sampler = json.path("sampler").asText().startsWith("ldm.models.diffusion.ddim") ? "DDIM CompVis"
                : json.path("a1111_name").asText();
        String scheduler = json.path("scheduler").path("requested").asText("Automatic");
        return new GenerationParameters(new Prompt(json.path("prompt").asText(), json.path("negative_prompt").asText(), 1),
                new ImageSize(shape.get(3).asInt() * 8, shape.get(2).asInt() * 8), new Batch(shape.get(0).asInt(), 1), Noise.of(json.path("seed").asLong()),
                new Sampling(sampler, scheduler, json.path("steps").asInt(), json.path("cfg_scale").asDouble()));
    }
}

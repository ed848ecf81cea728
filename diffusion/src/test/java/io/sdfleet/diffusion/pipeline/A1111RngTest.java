package io.sdfleet.diffusion.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.sampling.SeededNoise;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.request.Batch;
import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.ImageSize;
import io.sdfleet.request.Noise;
import io.sdfleet.request.Prompt;
import io.sdfleet.request.Sampling;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's per-image CPU RNG: the ancestral sampler's noise is the continuation of the seed's generator after the
 * initial noise. The part-2 reference case euler_a_A records exactly those draws, so the default (seed-only) run
 * must reproduce both the draws and the final latents.
 */
class A1111RngTest {

    private static final String CASE = "features/cases/euler_a_A";

    @Test
    void ancestralNoiseContinuesEachImagesGenerator() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        long seed = Reference.json(CASE + ".json").path("seed").asLong();
        float[] recorded = ref.get("step_noises").toFloats();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray like = m.zeros(new Shape(1, 4, 8, 8));
            SeededNoise noise = new SeededNoise(new long[] {seed});
            for (int k = 0; k < 5; k++) {
                float[] draw = noise.next(like, 1f, 0.5f).toFloatArray();
                assertThat(draw).as("draw %d", k).containsExactly(Arrays.copyOfRange(recorded, k * 256, (k + 1) * 256));
            }
        }
    }

    @Test
    void seedOnlyEulerAncestralRunMatchesTheReference() {
        JsonNode json = Reference.json(CASE + ".json");
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        try (StableDiffusionModel model = StableDiffusionModel.load(Reference.file("features/models/mini_sd1.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")))) {
            GenerationParameters p = new GenerationParameters(new Prompt(json.path("prompt").asText(), json.path("negative_prompt").asText(), 1),
                    new ImageSize(json.path("width").asInt(), json.path("height").asInt()), new Batch(1, 1), Noise.of(json.path("seed").asLong()),
                    new Sampling("Euler a", "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble()));
            GenerationResult result = new ImageGeneration(model).generate(p, Optional.empty(), ProgressListener.NONE);
            float[] expected = ref.get("latent").toFloats();
            double max = 0;
            for (float v : expected) {
                max = Math.max(max, Math.abs(v));
            }
            double error = Tensors.maxAbs(result.latents(), expected);
            System.out.printf("euler_a_A seed-only: max |latent error| %.2e (max |latent| %.1f)%n", error, max);
            assertThat(error).isLessThanOrEqualTo(1e-3 * max);
        }
    }
}

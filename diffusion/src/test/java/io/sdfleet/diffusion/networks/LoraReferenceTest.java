package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.pipeline.GenerationParameters;
import io.sdfleet.diffusion.pipeline.GenerationResult;
import io.sdfleet.diffusion.pipeline.ModelOptions;
import io.sdfleet.diffusion.pipeline.ProgressListener;
import io.sdfleet.diffusion.pipeline.StableDiffusionModel;
import io.sdfleet.diffusion.pipeline.Txt2Img;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The part-2 case lora_A: kohya LoRA at 0.8 on UNet and text encoder of mini SD1 "A". */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LoraReferenceTest {

    private static final String CASE = "features/cases/lora_A";

    private StableDiffusionModel model;
    private NetworkDirectories directories;

    @BeforeAll
    void load() {
        model = StableDiffusionModel.load(Reference.file("features/models/mini_sd1.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
        directories = new NetworkDirectories(Optional.of(Reference.file("features/extra")), Optional.empty(),
                Optional.empty());
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void patchedWeightsAreTheBaseWeightsPlusTheReferenceDeltas() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        JsonNode map = Reference.json(CASE + ".json").path("lora_key_to_checkpoint_key");
        Map<String, float[]> base = new HashMap<>();
        map.forEach(key -> base.put(key.asText(), model.parameter(key.asText()).orElseThrow().toFloatArray()));
        NetworkLibrary library = NetworkLibrary.loras(directories.loras());
        try (LoraPatch patch = LoraPatch.apply(model, List.of(new LoraActivation("oracle_lora", 0.8, 0.8)), library)) {
            assertThat(patch.unmatched()).isEmpty();
            assertThat(patch.patchedWeights()).isEqualTo(10);
            for (String key : base.keySet()) {
                float[] expectedDelta = ref.get("delta/" + key).toFloats();
                float[] patched = model.parameter(key).orElseThrow().toFloatArray();
                float[] applied = new float[patched.length];
                float[] expectedWeight = new float[patched.length];
                double maxDelta = 0;
                for (int i = 0; i < patched.length; i++) {
                    applied[i] = patched[i] - base.get(key)[i];
                    expectedWeight[i] = base.get(key)[i] + expectedDelta[i];
                    maxDelta = Math.max(maxDelta, Math.abs(expectedDelta[i]));
                }
                double weightError = Tensors.maxAbs(patched, expectedWeight);
                double deltaError = Tensors.maxAbs(applied, expectedDelta);
                System.out.printf("lora_A %s: max |W' - (W + delta)| %.2e, max |delta error| %.2e (max |delta| %.2e)%n",
                        key, weightError, deltaError, maxDelta);
                assertThat(weightError).as(key).isLessThanOrEqualTo(1e-6 * Math.max(1, maxDelta));
            }
        }
    }

    @Test
    void txt2imgWithTheLoraTagMatchesTheReferenceAndTheModelIsRestoredBitForBit() {
        JsonNode json = Reference.json(CASE + ".json");
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        Map<String, ByteBuffer> before = snapshot();

        GenerationResult withLora = new Txt2Img(model, directories).generate(parameters(json.path("prompt").asText(), json),
                Optional.empty(), ProgressListener.NONE);

        double scale = maxAbs(ref.get("latent").toFloats());
        double error = Tensors.maxAbs(withLora.latents(), ref.get("latent").toFloats());
        System.out.printf("lora_A latent: max error %.2e (max |latent| %.1f)%n", error, scale);
        assertThat(error).isLessThanOrEqualTo(1e-3 * scale);
        assertThat(Tensors.maxAbs(withLora.latents(), ref.get("latent_without_lora").toFloats())).isGreaterThan(1e-2 * scale);

        Map<String, ByteBuffer> after = snapshot();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((key, bytes) -> assertThat(after.get(key)).as(key).isEqualTo(bytes));

        GenerationResult plain = new Txt2Img(model, directories).generate(
                parameters(json.path("prompt_after_extra_networks").asText(), json), Optional.empty(), ProgressListener.NONE);
        double baseError = Tensors.maxAbs(plain.latents(), ref.get("latent_without_lora").toFloats());
        System.out.printf("lora_A after removal: max |latent - latent_without_lora| %.2e%n", baseError);
        assertThat(baseError).isLessThanOrEqualTo(1e-3 * scale);
    }

    private Map<String, ByteBuffer> snapshot() {
        Map<String, ByteBuffer> out = new HashMap<>();
        for (String key : model.parameterKeys()) {
            NDArray array = model.parameter(key).orElseThrow();
            out.put(key, array.toByteBuffer().duplicate());
        }
        return out;
    }

    private static GenerationParameters parameters(String prompt, JsonNode json) {
        return new GenerationParameters(prompt, json.path("negative_prompt").asText(), json.path("sampler").asText(),
                "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble(), json.path("seed").asLong(),
                json.path("width").asInt(), json.path("height").asInt(), 1, 1);
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

}

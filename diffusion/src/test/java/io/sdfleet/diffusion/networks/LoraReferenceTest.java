package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.pipeline.GenerationResult;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.pipeline.ProgressListener;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.pipeline.ImageGeneration;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
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
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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

        GenerationResult withLora = new ImageGeneration(model, directories).generate(parameters(json.path("prompt").asText(), json),
                Optional.empty(), ProgressListener.NONE);

        double scale = maxAbs(ref.get("latent").toFloats());
        double error = Tensors.maxAbs(withLora.latents(), ref.get("latent").toFloats());
        System.out.printf("lora_A latent: max error %.2e (max |latent| %.1f)%n", error, scale);
        assertThat(error).isLessThanOrEqualTo(1e-3 * scale);
        assertThat(Tensors.maxAbs(withLora.latents(), ref.get("latent_without_lora").toFloats())).isGreaterThan(1e-2 * scale);

        Map<String, ByteBuffer> after = snapshot();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((key, bytes) -> assertThat(after.get(key)).as(key).isEqualTo(bytes));

        GenerationResult plain = new ImageGeneration(model, directories).generate(
                parameters(json.path("prompt_after_extra_networks").asText(), json), Optional.empty(), ProgressListener.NONE);
        double baseError = Tensors.maxAbs(plain.latents(), ref.get("latent_without_lora").toFloats());
        System.out.printf("lora_A after removal: max |latent - latent_without_lora| %.2e%n", baseError);
        assertThat(baseError).isLessThanOrEqualTo(1e-3 * scale);
    }

    /**
     * An fp32 safetensors checkpoint is mapped from the file without a copy, read-only: a LoRA must never write into
     * those weights (it once did, and the JVM died). The same model saved as fp32 gives the reference result.
     */
    @Test
    void aLoraOnAnFp32CheckpointLeavesTheMappedWeightsAloneAndMatches(@TempDir Path dir)
            throws Exception {
        Path fp32 = dir.resolve("mini_sd1_fp32.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        for (StoredTensor t
                : SafetensorsFile.open(Reference.file("features/models/mini_sd1.safetensors")).tensors()) {
            if (t.type() == StoredType.F16) {
                writer.putFloats(t.name(), t.shape(), t.toFloats());
            } else {
                writer.put(t);
            }
        }
        writer.write(fp32);
        Files.copy(Reference.file("features/models/mini_sd1.json"), dir.resolve("mini_sd1_fp32.json"));
        JsonNode json = Reference.json(CASE + ".json");
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        try (StableDiffusionModel mapped = StableDiffusionModel.load(fp32, ModelOptions.cpu(Reference.file("clip-tokenizer")))) {
            GenerationResult result = new ImageGeneration(mapped, directories).generate(
                    parameters(json.path("prompt").asText(), json), Optional.empty(), ProgressListener.NONE);
            float[] expected = ref.get("latent").toFloats();
            double error = Tensors.maxAbs(result.latents(), expected);
            System.out.printf("lora_A on an fp32 (mapped) checkpoint: max |latent error| %.2e%n", error);
            assertThat(error).isLessThanOrEqualTo(1e-3 * maxAbs(expected));
        }
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
        return new GenerationParameters(new Prompt(prompt, json.path("negative_prompt").asText(), 1),
                new ImageSize(json.path("width").asInt(), json.path("height").asInt()), new Batch(1, 1), Noise.of(json.path("seed").asLong()),
                new Sampling(json.path("sampler").asText(), "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble()));
    }

    private static double maxAbs(float[] values) {
        double max = 0;
        for (float v : values) {
            max = Math.max(max, Math.abs(v));
        }
        return max;
    }

}

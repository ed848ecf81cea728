package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.pipeline.GenerationResult;
import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.pipeline.ProgressListener;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.pipeline.ImageGeneration;
import io.sdfleet.diffusion.prompt.EmbeddingVectors;
import io.sdfleet.diffusion.prompt.EmphasisEncoder;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.prompt.TokenizedPrompt;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The part-2 case textual_inversion_A: "orcemb" (3 BPE tokens) replaced by its 2 vectors, from .safetensors and .pt. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TextualInversionReferenceTest {

    private static final String CASE = "features/cases/textual_inversion_A";

    private StableDiffusionModel model;

    @BeforeAll
    void load() {
        model = StableDiffusionModel.load(Reference.file("features/models/mini_sd1.safetensors"),
                ModelOptions.cpu(Reference.file("clip-tokenizer")));
    }

    @AfterAll
    void close() {
        if (model != null) {
            model.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"orcemb.safetensors", "orcemb.pt"})
    void bothFileFormatsHoldTheCasesVectors(String file) {
        EmbeddingVectors e = EmbeddingFiles.read(Reference.file("features/extra/" + file), "orcemb");
        assertThat(e.count()).isEqualTo(2);
        assertThat(e.width()).isEqualTo(64);
        assertThat(e.values()).containsExactly(Reference.tensors(CASE + ".safetensors").get("emb_vectors").toFloats());
    }

    @ParameterizedTest
    @ValueSource(strings = {"orcemb.safetensors", "orcemb.pt"})
    void placeholderIdsAndConditioningMatchTheCase(String file) {
        JsonNode json = Reference.json(CASE + ".json");
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        EmbeddingRegistry registry = new EmbeddingRegistry(
                List.of(EmbeddingFiles.read(Reference.file("features/extra/" + file), "orcemb")), model.tokenizer());

        TokenizedPrompt tokenized = new PromptChunker(model.tokenizer(), registry).tokenize(json.path("prompt").asText());

        assertThat(tokenized.chunks()).hasSize(1);
        assertThat(tokenized.chunks().get(0).tokens()).containsExactly(ref.get("cond_ids").toLongs());
        assertThat(tokenized.chunks().get(0).fixes()).singleElement()
                .satisfies(fix -> assertThat(fix.offset()).isEqualTo(json.path("fixes").get(0).get(0).asInt()));
        try (NDManager m = model.manager().newSubManager()) {
            NDArray cond = new EmphasisEncoder(model.textModel()).encode(m, tokenized, 1);
            double error = Tensors.maxAbs(cond, ref.get("cond"));
            double scale = Tensors.load(ref.get("cond"), m).abs().max().getFloat();
            System.out.printf("textual_inversion_A cond from %s: max error %.2e (max |cond| %.2f)%n", file, error, scale);
            assertThat(error).isLessThanOrEqualTo(1e-4 * scale);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"orcemb.safetensors", "orcemb.pt"})
    void txt2imgWithTheEmbeddingFolderMatchesTheCaseLatent(String file, @TempDir Path folder) throws Exception {
        Files.createSymbolicLink(folder.resolve(file), Reference.file("features/extra/" + file));
        JsonNode json = Reference.json(CASE + ".json");
        float[] expected = Reference.tensors(CASE + ".safetensors").get("latent").toFloats();
        GenerationParameters p = new GenerationParameters(new Prompt(json.path("prompt").asText(), json.path("negative_prompt").asText(), 1),
                new ImageSize(json.path("width").asInt(), json.path("height").asInt()), new Batch(1, 1), Noise.of(json.path("seed").asLong()),
                new Sampling(json.path("sampler").asText(), "Automatic", json.path("steps").asInt(), json.path("cfg_scale").asDouble()));
        NetworkDirectories dirs = new NetworkDirectories(Optional.empty(), Optional.of(folder), Optional.empty());

        GenerationResult result = new ImageGeneration(model, dirs).generate(p, Optional.empty(), ProgressListener.NONE);

        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        double error = Tensors.maxAbs(result.latents(), expected);
        System.out.printf("textual_inversion_A latent from %s: max error %.2e (max |latent| %.1f)%n", file, error, scale);
        assertThat(error).isLessThanOrEqualTo(1e-3 * scale);
    }

    @Test
    void filesThatAreNotEmbeddingsAreSkippedWithTheReason() {
        EmbeddingRegistry registry = new EmbeddingRegistry(
                NetworkLibrary.embeddings(Optional.of(Reference.file("features/extra"))), model.tokenizer(), 64);
        assertThat(registry.loaded()).containsOnlyKeys("orcemb");
        assertThat(registry.skipped()).containsOnlyKeys("oracle_lora");
        assertThat(registry.skipped().get("oracle_lora")).contains("exactly one");
    }
}

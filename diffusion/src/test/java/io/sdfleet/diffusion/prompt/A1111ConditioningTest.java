package io.sdfleet.diffusion.prompt;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A1111's conditioning layer on the mini SD 1.5, case by case: chunks, multipliers, token count, final tensor. */
class A1111ConditioningTest {

    @Test
    void chunksTokensAndMultipliersMatchA1111() {
        PromptChunker chunker = new PromptChunker(ClipTokenizer.load(Reference.file("clip-tokenizer")));
        SafetensorsFile tensors = Reference.tensors("a1111/cases/a1111_conditioning.safetensors");
        for (JsonNode c : Reference.json("a1111/cases/a1111_conditioning.json").path("cases")) {
            String name = c.path("name").asText();
            TokenizedPrompt tokenized = chunker.tokenize(c.path("prompt").asText());
            assertThat(tokenized.chunks()).as("chunks of %s", name).hasSize(c.path("n_chunks").asInt());
            assertThat(tokenized.tokenCount()).as("token count of %s", name).isEqualTo(c.path("token_count").asInt());
            long[] expectedTokens = tensors.get(name + ".tokens").toLongs();
            float[] expectedMultipliers = tensors.get(name + ".multipliers").toFloats();
            for (int k = 0; k < tokenized.chunks().size(); k++) {
                PromptChunk chunk = tokenized.chunks().get(k);
                assertThat(chunk.tokens()).as("tokens of %s chunk %d", name, k)
                        .containsExactly(Arrays.copyOfRange(expectedTokens, 77 * k, 77 * (k + 1)));
                assertThat(chunk.multipliers()).as("multipliers of %s chunk %d", name, k)
                        .containsExactly(Arrays.copyOfRange(expectedMultipliers, 77 * k, 77 * (k + 1)));
            }
        }
    }

    @Test
    void conditioningMatchesA1111ForEveryPromptAndClipSkip() {
        PromptChunker chunker = new PromptChunker(ClipTokenizer.load(Reference.file("clip-tokenizer")));
        SafetensorsFile tensors = Reference.tensors("a1111/cases/a1111_conditioning.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = SafetensorsFile.open(Reference.file("mini_sd15_fp32.safetensors"))) {
            ClipTextModel clip = ClipTextModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(ClipTextModel.PREFIX), 4);
            EmphasisEncoder encoder = new EmphasisEncoder(clip);
            double worst = 0;
            for (JsonNode c : Reference.json("a1111/cases/a1111_conditioning.json").path("cases")) {
                String name = c.path("name").asText();
                for (int clipSkip : List.of(1, 2)) {
                    StoredTensor expected = tensors.get(name + ".cond_clipskip" + clipSkip);
                    NDArray cond = encoder.encode(m, chunker.tokenize(c.path("prompt").asText()), clipSkip);
                    double error = Tensors.maxAbs(cond, expected);
                    assertThat(error).as("%s clip skip %d", name, clipSkip).isLessThanOrEqualTo(1e-4);
                    worst = Math.max(worst, error);
                }
            }
            System.out.printf("A1111 conditioning: worst max-abs %.2e%n", worst);
        }
    }
}

package io.sdfleet.diffusion.prompt;

import io.sdfleet.diffusion.networks.EmbeddingRegistry;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.tokenizer.ClipTokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A1111's tokenize_line with embeddings: a name takes one position per vector, and never straddles two chunks. */
class EmbeddingChunkingTest {

    @Test
    void anEmbeddingThatDoesNotFitTheChunkStartsTheNextOne() {
        ClipTokenizer tokenizer = ClipTokenizer.load(Reference.file("clip-tokenizer"));
        EmbeddingVectors ten = new EmbeddingVectors("orcemb", 10, 4, new float[40]);
        PromptChunker chunker = new PromptChunker(tokenizer, new EmbeddingRegistry(List.of(ten), tokenizer));

        TokenizedPrompt prompt = chunker.tokenize("cat ".repeat(70) + "orcemb (dog:1.5)");

        assertThat(prompt.chunks()).hasSize(2);
        PromptChunk first = prompt.chunks().get(0);
        assertThat(first.fixes()).isEmpty();
        assertThat(first.tokens()[70]).isEqualTo(tokenizer.id("cat</w>"));
        assertThat(first.tokens()[71]).isEqualTo(tokenizer.eos());
        PromptChunk second = prompt.chunks().get(1);
        assertThat(second.fixes()).singleElement().satisfies(fix -> assertThat(fix.offset()).isZero());
        for (int i = 1; i <= 10; i++) {
            assertThat(second.tokens()[i]).isEqualTo(PromptChunker.PLACEHOLDER_ID);
        }
        assertThat(second.tokens()[11]).isEqualTo(tokenizer.id("dog</w>"));
        assertThat(second.multipliers()[11]).isEqualTo(1.5f);
        assertThat(prompt.tokenCount()).isEqualTo(75 + 11);
    }
}

package io.sdfleet.diffusion.prompt;

import java.util.List;

/** A prompt cut into chunks, and A1111's token count (the "n/75" its UI shows). */
public record TokenizedPrompt(List<PromptChunk> chunks, int tokenCount) {
}

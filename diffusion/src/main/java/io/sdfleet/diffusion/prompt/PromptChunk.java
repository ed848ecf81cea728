package io.sdfleet.diffusion.prompt;

/** One 77-token window of a prompt: BOS, 75 ids (EOS-padded), EOS, and each token's emphasis multiplier. */
public record PromptChunk(long[] tokens, float[] multipliers) {
}

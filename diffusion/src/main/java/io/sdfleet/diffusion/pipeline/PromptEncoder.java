package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.prompt.EmphasisEncoder;
import io.sdfleet.diffusion.prompt.PromptChunker;

/**
 * Turns a prompt into the UNet's text conditioning [1, 77·k, C] the way A1111 does: emphasis parsing, 75-token
 * chunks with comma back-off and BREAK, CLIP per chunk with clip skip, "Original" emphasis, chunks joined.
 */
final class PromptEncoder {

    /** Conditioning that may change with the sampling step (prompt editing). */
    interface Conditioning {
        NDArray at(int step);
    }

    private final StableDiffusionModel model;

    PromptEncoder(StableDiffusionModel model) {
        this.model = model;
    }

    Conditioning encode(NDManager manager, String prompt, int steps, int clipSkip) {
        PromptChunker chunker = new PromptChunker(model.tokenizer());
        NDArray cond = new EmphasisEncoder(model.textModel()).encode(manager, chunker.tokenize(prompt), clipSkip);
        return step -> cond;
    }
}

package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.model.ConditioningSchedule;
import io.sdfleet.diffusion.prompt.EmbeddingLookup;
import io.sdfleet.diffusion.prompt.EmphasisEncoder;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.prompt.PromptSchedule;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a prompt into the UNet's text conditioning [1, 77·k, C] the way A1111 does: prompt editing and alternation
 * give one text per range of steps; each text goes through emphasis parsing, 75-token chunks with comma back-off
 * and BREAK (textual-inversion names counted by their vectors), CLIP per chunk with clip skip and "Original"
 * emphasis.
 */
final class PromptEncoder {

    private final StableDiffusionModel model;
    private final EmbeddingLookup embeddings;

    PromptEncoder(StableDiffusionModel model, EmbeddingLookup embeddings) {
        this.model = model;
        this.embeddings = embeddings;
    }

    ConditioningSchedule encode(NDManager manager, String prompt, int steps, int clipSkip) {
        PromptChunker chunker = new PromptChunker(model.tokenizer(), model.textEncoder().paddingId(), embeddings);
        EmphasisEncoder encoder = new EmphasisEncoder(model.textEncoder());
        List<PromptSchedule.Entry> schedule = PromptSchedule.of(prompt, steps);
        List<Conditioning> conds = new ArrayList<>();
        for (PromptSchedule.Entry entry : schedule) {
            conds.add(Conditioning.of(encoder.encode(manager, chunker.tokenize(entry.prompt()), clipSkip)));
        }
        // A1111's reconstruct_cond_batch: the first entry whose end step is ≥ the 0-based call index.
        return call -> {
            for (int i = 0; i < schedule.size(); i++) {
                if (call <= schedule.get(i).endStep()) {
                    return conds.get(i);
                }
            }
            return conds.get(conds.size() - 1);
        };
    }
}

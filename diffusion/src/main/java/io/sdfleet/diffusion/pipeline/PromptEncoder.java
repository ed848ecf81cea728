package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.model.Conditioning;
import io.sdfleet.diffusion.model.ConditioningSchedule;
import io.sdfleet.diffusion.networks.EmbeddingTower;
import io.sdfleet.diffusion.networks.Networks;
import io.sdfleet.diffusion.prompt.ComposablePrompt;
import io.sdfleet.diffusion.prompt.EmphasisEncoder;
import io.sdfleet.diffusion.prompt.PromptChunker;
import io.sdfleet.diffusion.prompt.PromptSchedule;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sdxl.AestheticScores;
import io.sdfleet.diffusion.sdxl.ScheduledConditioning;
import io.sdfleet.diffusion.sdxl.SdxlConditioner;
import io.sdfleet.diffusion.sdxl.SdxlSize;
import io.sdfleet.request.ImageSize;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a prompt into the UNet's conditioning the way A1111 does: prompt editing and alternation give one text per
 * range of steps; each text goes through emphasis parsing, 75-token chunks with comma back-off and BREAK
 * (textual-inversion names counted by their vectors) and "Original" emphasis — for SD 1.x / 2.x through the one text
 * encoder with clip skip, for SDXL through both towers with the size features ({@link SdxlConditioner}: SDXL ignores
 * clip skip, and an exactly empty negative prompt is zeros).
 */
final class PromptEncoder {

    private final StableDiffusionModel model;
    private final Networks networks;

    /** @param networks the model's textual inversions (each SDXL tower its own vectors) */
    PromptEncoder(StableDiffusionModel model, Networks networks) {
        this.model = model;
        this.networks = networks;
    }

    /**
     * A pass's prompts: each {@code AND} part of the positive prompt with its weight (composable diffusion, as A1111;
     * a prompt without AND is one part of weight 1), and the negative prompt, which A1111 never splits.
     *
     * @param size the pass's image size (SDXL conditions on it)
     */
    PromptConditioning encode(NDManager manager, String positive, String negative, int steps, int clipSkip,
                              ImageSize size) {
        List<CfgDenoiser.WeightedCondition> parts = new ArrayList<>();
        for (ComposablePrompt.Part part : ComposablePrompt.split(positive)) {
            parts.add(new CfgDenoiser.WeightedCondition(schedule(manager, part.text(), steps, clipSkip, false, size),
                    (float) part.weight()));
        }
        return new PromptConditioning(parts, schedule(manager, negative, steps, clipSkip, true, size));
    }

    /** One prompt's conditioning by denoiser call; its arrays live in {@code manager}. */
    ConditioningSchedule schedule(NDManager manager, String prompt, int steps, int clipSkip, boolean negative,
                                  ImageSize size) {
        if (model.sdxlTextEncoders().isPresent()) {
            SdxlConditioner conditioner = new SdxlConditioner(model.sdxlTextEncoders().get(), model.tokenizer(),
                    networks.embeddings(EmbeddingTower.CLIP_L), networks.embeddings(EmbeddingTower.CLIP_G),
                    AestheticScores.A1111);
            SdxlSize sdxlSize = SdxlSize.forImage(size.width(), size.height())
                    .withCrop(size.sdxlCropTop(), size.sdxlCropLeft());
            return ScheduledConditioning.encode(conditioner, manager, prompt, steps, negative, sdxlSize);
        }
        PromptChunker chunker = new PromptChunker(model.tokenizer(), model.textEncoder().paddingId(),
                networks.embeddings());
        EmphasisEncoder encoder = new EmphasisEncoder(model.textEncoder());
        List<PromptSchedule.Entry> schedule = PromptSchedule.of(prompt, steps);
        List<Conditioning> conds = new ArrayList<>();
        for (PromptSchedule.Entry entry : schedule) {
            conds.add(Conditioning.of(encoder.encode(manager, chunker.tokenize(entry.prompt()), clipSkip)));
        }
        return call -> conds.get(PromptSchedule.indexAt(schedule, call));
    }
}

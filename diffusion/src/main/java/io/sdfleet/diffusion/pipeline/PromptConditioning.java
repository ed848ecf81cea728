package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.model.ConditioningSchedule;
import io.sdfleet.diffusion.sampling.CfgDenoiser;

import java.util.List;

/**
 * A pass's encoded prompts for classifier-free guidance.
 *
 * @param positive the prompt's sub-prompts (one, or several joined by AND) with their weights
 * @param negative the negative prompt (never split, as in A1111)
 */
record PromptConditioning(List<CfgDenoiser.WeightedCondition> positive, ConditioningSchedule negative) {
}

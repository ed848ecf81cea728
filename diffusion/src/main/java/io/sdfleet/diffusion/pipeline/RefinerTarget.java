package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.request.Refiner;

import java.util.function.Supplier;

/**
 * The SDXL refiner a sampling pass may hand over to: the request's refiner, the refiner's UNet as this run calls it,
 * its noise schedule, and its prompts — encoded by the refiner's own text tower only when it takes over, as A1111's
 * {@code setup_conds} does at the switch.
 */
record RefinerTarget(Refiner refiner, NoisePredictor unet, DiscreteSchedule schedule,
                     Supplier<PromptConditioning> prompts) {
}

package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sampling.Denoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.diffusion.sampling.MaskedDenoiser;
import io.sdfleet.diffusion.sampling.NoiseSource;
import io.sdfleet.diffusion.sampling.SamplerCatalog;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.diffusion.sampling.Scheduler;
import io.sdfleet.diffusion.sampling.StepCallback;
import io.sdfleet.diffusion.sampling.EpsModel;
import io.sdfleet.request.SamplerExtras;
import io.sdfleet.request.Sampling;

import java.util.Optional;

/**
 * One run of a sampler over the UNet with classifier-free guidance: from noise (txt2img) or from an init latent
 * noised to the strength's level (img2img and the hires pass, A1111's step arithmetic), optionally keeping unmasked
 * latents (inpainting with an ordinary checkpoint) and feeding image conditioning (9-channel inpainting checkpoints).
 */
final class SamplingPass {

    private final SamplerSpec sampler;
    private final Scheduler scheduler;
    private final int steps;                     // txt2img's; img2img passes count theirs in img2img
    private final Img2ImgSteps img2img;          // null for txt2img
    private final NDArray noise;
    private final NoiseSource stepNoise;
    private final NDArray initLatent;            // model-space init latents [B, 4, h, w]; null for txt2img
    private final NDArray repaint;               // 1 = repaint, 0 = keep [1, 4, h, w]; null without a mask
    private final NDArray imageCondition;        // [B, 5, h, w] for 9-channel models; null otherwise
    private final PromptConditioning prompts;
    private final float cfgScale;
    private final SamplerExtras extras;
    private boolean handedOffToRefiner;

    private SamplingPass(SamplerCatalog.Choice choice, Sampling sampling, Img2ImgSteps img2img, NDArray noise,
                         NoiseSource stepNoise, NDArray initLatent, NDArray repaint, NDArray imageCondition,
                         PromptConditioning prompts) {
        this.sampler = choice.sampler();
        this.scheduler = choice.scheduler();
        this.steps = sampling.steps();
        this.img2img = img2img;
        this.noise = noise;
        this.stepNoise = stepNoise;
        this.initLatent = initLatent;
        this.repaint = repaint;
        this.imageCondition = imageCondition;
        this.prompts = prompts;
        this.cfgScale = (float) sampling.cfgScale();
        this.extras = sampling.extras();
    }

    /**
     * From pure noise over all of {@code sampling}'s steps.
     *
     * @param imageCondition the blank image conditioning of a 9-channel inpainting model; null for others
     */
    static SamplingPass txt2img(SamplerCatalog.Choice choice, Sampling sampling, PromptConditioning prompts,
                                InitialNoise noise, NDArray imageCondition) {
        return new SamplingPass(choice, sampling, null, noise.latents(), noise.stepNoise(), null, null,
                imageCondition, prompts);
    }

    /** From the init image's latents noised to {@code denoisingStrength}'s level, keeping what its mask keeps. */
    static SamplingPass img2img(SamplerCatalog.Choice choice, Sampling sampling, PromptConditioning prompts,
                                InitialNoise noise, Img2ImgLatents init, double denoisingStrength) {
        return new SamplingPass(choice, sampling, Img2ImgSteps.of(sampling.steps(), denoisingStrength, false),
                noise.latents(), noise.stepNoise(), init.initLatent(), init.repaint(), init.imageCondition(), prompts);
    }

    /**
     * The hires fix's second pass: img2img from the upscaled latents with the plan's sampler and fixed steps.
     *
     * @param imageCondition the blank image conditioning of a 9-channel inpainting model; null for others
     */
    static SamplingPass hires(HiresPlan plan, Sampling sampling, PromptConditioning prompts, InitialNoise noise,
                              NDArray upscaled, NDArray imageCondition) {
        return new SamplingPass(plan.choice(), sampling, plan.steps(), noise.latents(), noise.stepNoise(), upscaled,
                null, imageCondition, prompts);
    }

    /** Steps this pass reports progress for. */
    int stepsRun() {
        return img2img == null ? steps : img2img.run();
    }

    /** The final latents in {@code noise}'s manager. */
    NDArray run(NoisePredictor unet, DiscreteSchedule schedule, StepCallback callback) {
        return run(unet, schedule, callback, Optional.empty());
    }

    /**
     * The final latents in {@code noise}'s manager, the SDXL refiner taking over the remaining steps when the request's
     * switch point is reached ({@link RefinerHandOff}).
     */
    NDArray run(NoisePredictor unet, DiscreteSchedule schedule, StepCallback callback, Optional<RefinerTarget> refiner) {
        CfgDenoiser base = new CfgDenoiser(withImage(unet), schedule, prompts.positive(), prompts.negative(), cfgScale,
                0);
        RefinerHandOff handOff = refiner.map(target -> new RefinerHandOff(base, target.refiner(), schedule,
                firstCall -> {
                    PromptConditioning refined = target.prompts().get();
                    return new CfgDenoiser(withImage(target.unet()), target.schedule(), refined.positive(),
                            refined.negative(), cfgScale, firstCall);
                })).orElse(null);
        Denoiser guided = handOff == null ? base : handOff;
        EpsModel guidedEps = handOff == null ? base::guidedEps : handOff::guidedEps;
        try {
            return sample(guided, guidedEps, schedule, callback);
        } finally {
            handedOffToRefiner = handOff != null && handOff.handedOff();
        }
    }

    /** Whether the refiner took over during {@link #run}. */
    boolean handedOffToRefiner() {
        return handedOffToRefiner;
    }

    private NoisePredictor withImage(NoisePredictor unet) {
        return imageCondition == null ? unet : new ImageConditionedUNet(unet, imageCondition);
    }

    private NDArray sample(Denoiser guided, EpsModel guidedEps, DiscreteSchedule schedule,
                           StepCallback callback) {
        Denoiser denoiser = repaint == null ? guided : new MaskedDenoiser(guided, initLatent, repaint);
        NDArray latents;
        if (img2img == null) {
            float[] sigmas = sampler.usesTimesteps() ? null : sampler.sigmas(schedule, scheduler, steps);
            latents = sampler.run().sample(new SamplerSpec.Inputs(denoiser, guidedEps, noise, null, sigmas,
                    schedule.alphasCumprod(), steps, stepNoise, callback, extras));
        } else if (img2img.total() == 0) {
            // Strength 0 changes nothing: the result is the init image's VAE round trip.
            latents = initLatent.duplicate();
        } else {
            if (sampler.usesTimesteps()) {
                throw new IllegalArgumentException("sampler_name " + sampler.name()
                        + " cannot run img2img yet; choose a k-diffusion sampler such as Euler or DPM++ 2M");
            }
            float[] sigmas = img2img.schedule(sampler.sigmas(schedule, scheduler, img2img.total()));
            latents = sampler.run().sample(new SamplerSpec.Inputs(denoiser, guidedEps, noise, initLatent,
                    sigmas, schedule.alphasCumprod(), img2img.run(), stepNoise, callback, extras));
        }
        if (repaint == null) {
            return latents;
        }
        // A1111 blends the final samples once more: unmasked latents are exactly the init image's.
        NDArray blended = MaskedDenoiser.blend(latents, initLatent, repaint);
        latents.close();
        return blended;
    }
}

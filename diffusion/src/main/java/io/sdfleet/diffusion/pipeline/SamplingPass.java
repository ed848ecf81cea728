package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.sampling.CfgDenoiser;
import io.sdfleet.diffusion.sampling.Denoiser;
import io.sdfleet.diffusion.sampling.DiscreteSchedule;
import io.sdfleet.diffusion.sampling.MaskedDenoiser;
import io.sdfleet.diffusion.sampling.NoiseSource;
import io.sdfleet.diffusion.sampling.SamplerSpec;
import io.sdfleet.diffusion.sampling.Scheduler;
import io.sdfleet.diffusion.sampling.StepCallback;
import io.sdfleet.request.SamplerExtras;

import java.util.List;

/**
 * One run of a sampler over the UNet with classifier-free guidance: from noise (txt2img) or from an init latent
 * noised to the strength's level (img2img, A1111's step arithmetic), optionally keeping unmasked latents (inpainting
 * with an ordinary checkpoint) and feeding image conditioning (9-channel inpainting checkpoints).
 *
 * @param img2img        null for txt2img
 * @param initLatent     model-space init latents [B, 4, h, w]; null for txt2img
 * @param repaint        1 = repaint, 0 = keep [1, 4, h, w]; null without a mask
 * @param imageCondition [B, 5, h, w] for 9-channel models; null otherwise
 * @param conds          the prompt's sub-prompts (one, or several joined by AND) with their weights
 */
record SamplingPass(SamplerSpec sampler, Scheduler scheduler, int steps, Img2ImgSteps img2img, NDArray noise,
                    NoiseSource stepNoise, NDArray initLatent, NDArray repaint, NDArray imageCondition,
                    List<CfgDenoiser.WeightedCondition> conds, PromptEncoder.Conditioning uncond, float cfgScale,
                    SamplerExtras extras) {

    /** Steps this pass reports progress for. */
    int stepsRun() {
        return img2img == null ? steps : img2img.run();
    }

    /** The final latents in {@code noise}'s manager. */
    NDArray run(NoisePredictor unet, DiscreteSchedule schedule, StepCallback callback) {
        NoisePredictor predictor = imageCondition == null ? unet : new ImageConditionedUNet(unet, imageCondition);
        CfgDenoiser guided = new CfgDenoiser(predictor, schedule, conds, uncond::at, cfgScale);
        Denoiser denoiser = repaint == null ? guided : new MaskedDenoiser(guided, initLatent, repaint);
        NDArray latents;
        if (img2img == null) {
            float[] sigmas = sampler.usesTimesteps() ? null : sampler.sigmas(schedule, scheduler, steps);
            latents = sampler.run().sample(new SamplerSpec.Inputs(denoiser, guided::guidedEps, noise, null, sigmas,
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
            latents = sampler.run().sample(new SamplerSpec.Inputs(denoiser, guided::guidedEps, noise, initLatent,
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

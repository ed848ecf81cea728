package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.noise.NoiseOptions;

import io.sdfleet.diffusion.sampling.SamplerExtras;

import java.util.ArrayList;
import java.util.List;

/**
 * What one run is asked to do, with A1111's names and API defaults (sampler Euler, 50 steps, CFG 7, 512×512,
 * clip skip 1, CPU noise without variation). Image k of the batch uses seed + k, so any image can be reproduced
 * alone; with a variation seed, A1111 keeps the seed and moves the variation seed instead. {@code img2img} (init
 * images, strength, mask) and {@code hires} (A1111's hires fix) are null when not used; {@code tiling} makes the
 * image wrap around seamlessly.
 */
public record GenerationParameters(
        String prompt,
        String negativePrompt,
        String sampler,
        String scheduler,
        int steps,
        double cfgScale,
        long seed,
        int width,
        int height,
        int batchSize,
        int clipSkip,
        boolean tiling,
        Img2ImgInput img2img,
        HiresFix hires,
        NoiseOptions noise,
        SamplerExtras samplerExtras) {

    public static final int MAX_SIDE = 4096;

    public GenerationParameters {
        prompt = prompt == null ? "" : prompt;
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        sampler = sampler == null || sampler.isBlank() ? "Euler" : sampler;
        scheduler = scheduler == null || scheduler.isBlank() ? "Automatic" : scheduler;
        noise = noise == null ? NoiseOptions.DEFAULTS : noise;
        samplerExtras = samplerExtras == null ? SamplerExtras.DEFAULTS : samplerExtras;
    }

    /** Plain txt2img with A1111's default noise options. */
    public GenerationParameters(String prompt, String negativePrompt, String sampler, String scheduler, int steps,
                                double cfgScale, long seed, int width, int height, int batchSize, int clipSkip) {
        this(prompt, negativePrompt, sampler, scheduler, steps, cfgScale, seed, width, height, batchSize, clipSkip,
                false, null, null, NoiseOptions.DEFAULTS, SamplerExtras.DEFAULTS);
    }

    public GenerationParameters withImg2Img(Img2ImgInput input) {
        return new GenerationParameters(prompt, negativePrompt, sampler, scheduler, steps, cfgScale, seed, width, height,
                batchSize, clipSkip, tiling, input, hires, noise, samplerExtras);
    }

    public GenerationParameters withHires(HiresFix fix) {
        return new GenerationParameters(prompt, negativePrompt, sampler, scheduler, steps, cfgScale, seed, width, height,
                batchSize, clipSkip, tiling, img2img, fix, noise, samplerExtras);
    }

    public GenerationParameters withTiling(boolean on) {
        return new GenerationParameters(prompt, negativePrompt, sampler, scheduler, steps, cfgScale, seed, width, height,
                batchSize, clipSkip, on, img2img, hires, noise, samplerExtras);
    }

    public GenerationParameters withNoise(NoiseOptions options) {
        return new GenerationParameters(prompt, negativePrompt, sampler, scheduler, steps, cfgScale, seed, width,
                height, batchSize, clipSkip, tiling, img2img, hires, options, samplerExtras);
    }

    public GenerationParameters withSamplerExtras(SamplerExtras extras) {
        return new GenerationParameters(prompt, negativePrompt, sampler, scheduler, steps, cfgScale, seed, width,
                height, batchSize, clipSkip, tiling, img2img, hires, noise, extras);
    }

    /** The seed of image {@code index} of this batch (A1111: one seed for all when a variation seed is used). */
    public long seedOf(int index) {
        return seed + (noise.varies() ? 0 : index);
    }

    /** The variation seed of image {@code index} of this batch. */
    public long subseedOf(int index) {
        return noise.subseed() + index;
    }

    /** Problems with the numbers, each naming its field; empty when the parameters can run. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        side("width", width, problems);
        side("height", height, problems);
        if (steps < 1 || steps > 1000) {
            problems.add("steps must be between 1 and 1000, got " + steps);
        }
        if (batchSize < 1 || batchSize > 64) {
            problems.add("batch_size must be between 1 and 64, got " + batchSize);
        }
        if (!(cfgScale >= 0 && cfgScale <= 100)) {
            problems.add("cfg_scale must be between 0 and 100, got " + cfgScale);
        }
        if (clipSkip < 1 || clipSkip > 12) {
            problems.add("clip_skip must be between 1 and 12, got " + clipSkip);
        }
        problems.addAll(samplerExtras.problems());
        if (hires != null && img2img != null) {
            problems.add("enable_hr applies to txt2img only, not to img2img");
        }
        if (seed < 0) {
            problems.add("seed must be resolved (≥ 0) before the engine runs, got " + seed);
        }
        problems.addAll(noise.problems(MAX_SIDE));
        return problems;
    }

    private static void side(String name, int value, List<String> problems) {
        if (value < 8 || value > MAX_SIDE || value % 8 != 0) {
            problems.add(name + " must be a multiple of 8 between 8 and " + MAX_SIDE + ", got " + value);
        }
    }
}

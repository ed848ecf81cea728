package io.sdfleet.contracts;

/**
 * What to generate, with A1111's field meanings: {@code nIter} batches ("batch count") of {@code batchSize} images;
 * image k of the request has seed {@code seed + k}. {@code seed} is resolved (never −1) by the time a request is
 * queued. {@code hires} (txt2img's hires fix) and {@code img2img} (init images, mask) are null when not used.
 */
public record GenerationParameters(
        String prompt,
        String negativePrompt,
        String samplerName,
        String scheduler,
        int steps,
        double cfgScale,
        long seed,
        int width,
        int height,
        int batchSize,
        int nIter,
        int clipSkip,
        String model,
        boolean tiling,
        HiresFixOptions hires,
        Img2ImgOptions img2img,
        NoiseSettings noise,
        SamplerSettings sampler,
        String vae) {

    public GenerationParameters {
        noise = noise == null ? NoiseSettings.DEFAULTS : noise;
        sampler = sampler == null ? SamplerSettings.DEFAULTS : sampler;
    }

    /** Plain txt2img. */
    public GenerationParameters(String prompt, String negativePrompt, String samplerName, String scheduler, int steps,
                                double cfgScale, long seed, int width, int height, int batchSize, int nIter,
                                int clipSkip, String model) {
        this(prompt, negativePrompt, samplerName, scheduler, steps, cfgScale, seed, width, height, batchSize, nIter,
                clipSkip, model, false, null, null, null, null, null);
    }

    /** The width and height the UNet works at last (the hires target when the hires fix is on). */
    public int[] workingSize() {
        return hires == null ? new int[] {width, height} : hires.targetSize(width, height);
    }

    /** The seed of image k of the request: seed + k, or the seed itself for every image with a variation seed (A1111). */
    public long seedOf(int k) {
        return seed + (noise.varies() ? 0 : k);
    }

    /** The variation seed of image k of the request. */
    public long subseedOf(int k) {
        return noise.subseed() + k;
    }

    /** Images the request yields. */
    public int imageCount() {
        return batchSize * nIter;
    }

    public GenerationParameters withBatch(long newSeed, int newBatchSize, int newIterations) {
        return new GenerationParameters(prompt, negativePrompt, samplerName, scheduler, steps, cfgScale, newSeed, width,
                height, newBatchSize, newIterations, clipSkip, model, tiling, hires, img2img, noise, sampler, vae);
    }
}

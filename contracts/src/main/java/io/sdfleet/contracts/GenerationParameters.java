package io.sdfleet.contracts;

/**
 * What to generate, with A1111's txt2img field meanings: {@code nIter} batches ("batch count") of
 * {@code batchSize} images; image k of the request has seed {@code seed + k}. {@code seed} is resolved (never −1)
 * by the time a request is queued.
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
        String model) {

    /** Images the request yields. */
    public int imageCount() {
        return batchSize * nIter;
    }

    public GenerationParameters withBatch(long newSeed, int newBatchSize, int newIterations) {
        return new GenerationParameters(prompt, negativePrompt, samplerName, scheduler, steps, cfgScale, newSeed, width,
                height, newBatchSize, newIterations, clipSkip, model);
    }
}

package io.sdfleet.request;

/**
 * How many images of W×H a device holds at once: a batch of n fits when
 * {@code modelBytes + n·W·H·bytesPerPixel ≤ its total memory} (SD 1.5 on CPU peaks near 3 GB at 512², batch 1).
 * The scheduler cuts batches with it for the roomiest live worker; a worker that takes a batch cut for a roomier one
 * runs it in parts of what it holds itself.
 *
 * <p>Other families ({@link #forModels}): the weights scale with the checkpoint's parameter count (SDXL base 3.47B
 * against SD 1.5's 1.07B: 2.5 GB becomes 8.1 GB, its fp16 weights being 6.9 GB); a refiner's weights are added, as
 * the worker holds both models for the hand-off. SDXL's activations count {@value #SDXL_ACTIVATION_RATIO}× SD
 * 1.5's a pixel: {@code ./sd bench --arch sdxl} measured 8,100 (512²) to 8,400 (1024²) bytes a pixel of peak RSS on
 * CPU fp32 above the 64² run (text, UNet with CFG and VAE decode), where SD 1.5 is costed at 4,096.
 */
public record BatchMemory(long modelBytes, long bytesPerPixel) {

    public static final BatchMemory DEFAULT = new BatchMemory(2_500_000_000L, 4096);

    /** SDXL's activation bytes a pixel over SD 1.5's (measured; see above). */
    static final double SDXL_ACTIVATION_RATIO = 2.1;

    public BatchMemory {
        if (modelBytes < 0 || bytesPerPixel <= 0) {
            throw new IllegalArgumentException("model bytes must be >= 0 and bytes per pixel > 0");
        }
    }

    /** This memory model for a job's checkpoint and refiner (the families the gateway's catalog read; SD 1.x when unknown). */
    public BatchMemory forModels(ModelChoice models) {
        if (models == null) {
            return this;
        }
        ModelArchitecture checkpoint = models.architecture() != null ? models.architecture() : ModelArchitecture.SD1;
        long weights = weightsOf(checkpoint);
        if (models.refiner() != null) {
            // an unread refiner counts as SDXL's: refiners are SDXL checkpoints in practice
            weights += weightsOf(models.refinerArchitecture() != null ? models.refinerArchitecture()
                    : ModelArchitecture.SDXL_REFINER);
        }
        long perPixel = checkpoint.isSdxl() ? Math.round(bytesPerPixel * SDXL_ACTIVATION_RATIO) : bytesPerPixel;
        return new BatchMemory(weights, perPixel);
    }

    /** {@code modelBytes} (SD 1.x's) scaled to the family's parameter count. */
    private long weightsOf(ModelArchitecture family) {
        return Math.round(modelBytes * ((double) family.parameters() / ModelArchitecture.SD1.parameters()));
    }

    /** The largest batch a device of {@code totalMemoryBytes} holds, at least 1 (one image is always tried). */
    public int maxBatch(long totalMemoryBytes, int width, int height) {
        long perImage = (long) width * height * bytesPerPixel;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (totalMemoryBytes - modelBytes) / perImage));
    }
}

package io.sdfleet.request;

/**
 * How many images of W×H a device holds at once: a batch of n fits when
 * {@code modelBytes + n·W·H·bytesPerPixel ≤ its total memory} (SD 1.5 on CPU peaks near 3 GB at 512², batch 1).
 * The scheduler cuts batches with it for the roomiest live worker; a worker that takes a batch cut for a roomier one
 * runs it in parts of what it holds itself.
 */
public record BatchMemory(long modelBytes, long bytesPerPixel) {

    public static final BatchMemory DEFAULT = new BatchMemory(2_500_000_000L, 4096);

    public BatchMemory {
        if (modelBytes < 0 || bytesPerPixel <= 0) {
            throw new IllegalArgumentException("model bytes must be >= 0 and bytes per pixel > 0");
        }
    }

    /** The largest batch a device of {@code totalMemoryBytes} holds, at least 1 (one image is always tried). */
    public int maxBatch(long totalMemoryBytes, int width, int height) {
        long perImage = (long) width * height * bytesPerPixel;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (totalMemoryBytes - modelBytes) / perImage));
    }
}

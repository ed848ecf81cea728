package io.sdfleet.diffusion.pipeline;

import java.util.List;

/**
 * The outcome of one batch: its images, the final latents in model space ([B, 4, H/8, W/8], before dividing by
 * the VAE scale factor), and what the run cost.
 */
public record GenerationResult(List<GeneratedImage> images, float[] latents, long[] latentShape,
                               double seconds, long peakMemoryBytes) {
}

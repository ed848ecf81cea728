package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.nn.NormStatistics;

/**
 * Tiled VAE decode and encode for images too large to run in one piece (A1111's / multidiffusion's "Tiled VAE").
 *
 * <p>Only the part at high resolution is tiled: the decoder's up levels and the encoder's down levels, where
 * nearly all activation memory goes. The parts at latent resolution (conv_in and mid for the decoder, mid and the
 * head for the encoder) run on the whole latent, so mid's self-attention stays global and exact.
 *
 * <p>Group norm is the non-local part left: each norm averages over the whole image. Per-tile statistics would
 * give every tile its own brightness (seams), so the statistics are estimated once: the tiled part runs untiled
 * on the input subsampled (every k-th cell) to at most {@link VaeTiling#statsSide()} cells per side, recording
 * every norm's mean and variance, and each tile then normalises with those ({@link NormStatistics}). When the
 * latent fits that side the statistics are exact and a tile differs from the plain run only by the convolutions'
 * reach beyond its context pad; beyond it they are an estimate from a smaller image. Circular padding (A1111's
 * "tiling") wraps around the image, which tiles cannot see, so it is never tiled.
 */
final class TiledVae {

    private TiledVae() {
    }

    /** The mid block's output [B, C, h, w] → pixels [B, 3, 8h, 8w], in its manager. */
    static NDArray decodeFeatures(Decoder decoder, NDArray features, VaeTiling tiling, StageSettings settings) {
        int factor = subsampling(features.getShape().get(2), features.getShape().get(3), tiling.statsSide());
        try (NormStatistics stats = NormStatistics.recording(features.getManager())) {
            try (NDManager pass = features.getManager().newSubManager()) {
                NDArray sample = subsample(features, factor, 1);
                sample.attach(pass);
                decoder.up(sample, settings.withNorms(stats));
            }
            StageSettings replay = settings.withNorms(stats.replaying());
            return TiledRun.run(features, 1, 8, tiling, window -> decoder.up(window, replay));
        }
    }

    /** Pixels [B, 3, H, W] (multiples of 8) → the down levels' output at 1/8 size, in the image's manager. */
    static NDArray encodeFeatures(Encoder encoder, NDArray image, VaeTiling tiling, StageSettings settings) {
        long cellsH = image.getShape().get(2) / 8;
        long cellsW = image.getShape().get(3) / 8;
        int factor = subsampling(cellsH, cellsW, tiling.statsSide());
        try (NormStatistics stats = NormStatistics.recording(image.getManager())) {
            try (NDManager pass = image.getManager().newSubManager()) {
                NDArray sample = subsample(image, factor, 8);
                sample.attach(pass);
                encoder.down(sample, settings.withNorms(stats));
            }
            StageSettings replay = settings.withNorms(stats.replaying());
            return TiledRun.run(image, 8, 1, tiling, window -> encoder.down(window, replay));
        }
    }

    /** The smallest k with ⌈side / k⌉ ≤ statsSide on both axes. */
    private static int subsampling(long cellsH, long cellsW, int statsSide) {
        long side = Math.max(cellsH, cellsW);
        return Math.toIntExact((side + statsSide - 1) / statsSide);
    }

    /**
     * Every {@code factor}-th row and column, cropped to a multiple of {@code multiple} (the encoder's stride);
     * nearest rather than averaging, because averaging would shrink the variances the norms are to estimate.
     */
    private static NDArray subsample(NDArray x, int factor, int multiple) {
        if (factor == 1) {
            return x.get(":,:,:,:");
        }
        try (NDArray strided = x.get(":,:,::{},::{}", factor, factor)) {
            long h = strided.getShape().get(2) / multiple * multiple;
            long w = strided.getShape().get(3) / multiple * multiple;
            return strided.get(":,:,:{},:{}", h, w);
        }
    }
}

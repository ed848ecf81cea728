package io.sdfleet.diffusion.vae;

/**
 * How {@link AutoencoderKL} splits a large image into tiles (A1111's "Tiled VAE"); all sizes are in latent cells
 * (8 pixels).
 *
 * @param tile  side of a tile's core; the image is cut into cores of about this size
 * @param pad   context each tile also reads on every side, then drops: the convolutions' reach, so that a tile's
 *              core comes out nearly as in the untiled run (with 8 cells the mini SD 1.5 VAE's pixels differ
 *              by ~4e-3 of their ±2 range; 20 cells cover its whole reach)
 * @param blend half-width of the band around a core boundary where neighbouring tiles are cross-faded linearly
 *              (at most {@code pad}), hiding whatever difference is left
 * @param statsSide the group norms' statistics come from one untiled run on the latent subsampled to at most this
 *              side (exact when the latent already fits); a larger side estimates better and costs more memory
 */
public record VaeTiling(int tile, int pad, int blend, int statsSide) {

    /** 32-cell cores (256 px) with 8 cells of context: a tile decodes like a 384² image. */
    public static final VaeTiling DEFAULT = new VaeTiling(32, 8, 4, 48);

    public VaeTiling {
        // cores can come out at half the tile size; a core narrower than two blend bands would break the cross-fade
        if (tile < 1 || pad < 0 || blend < 0 || blend > pad || 4 * blend > tile || statsSide < 1) {
            throw new IllegalArgumentException("need tile ≥ 1, 0 ≤ blend ≤ pad, blend ≤ tile/4 and statsSide ≥ 1, got "
                    + this);
        }
    }

    /** Whether a latent of this size is cut at all (one tile would just be the plain run). */
    boolean splits(long height, long width) {
        return height > tile || width > tile;
    }
}

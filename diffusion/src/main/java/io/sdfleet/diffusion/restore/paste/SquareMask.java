package io.sdfleet.diffusion.restore.paste;

import io.sdfleet.diffusion.restore.align.AffineTransform;
import io.sdfleet.diffusion.restore.opencv.AffineWarp;
import io.sdfleet.diffusion.restore.opencv.Erode;
import io.sdfleet.diffusion.restore.opencv.GaussianBlur;

/**
 * facexlib's mask when it does not parse ("use square parse maps"), at upscale factor 1: the crop's square warped
 * back (float32), eroded by 2×2 to drop the black seam, then eroded again and blurred by an edge width that grows
 * with the face, w_edge = ⌊√area⌋ // 20 (erosion 2·w_edge, Gaussian (2·w_edge + 1)², sigma from the size).
 *
 * @param eroded the 2×2-eroded square, which multiplies the warped face
 * @param soft the blend weight
 */
public record SquareMask(float[][] eroded, float[][] soft) {

    private static final int SEAM = 2; // int(2 * upscale_factor)

    public static SquareMask of(int faceWidth, int faceHeight, AffineTransform inverseAffine, int width, int height) {
        float[][] square = new float[faceHeight][faceWidth];
        for (float[] row : square) {
            java.util.Arrays.fill(row, 1f);
        }
        float[][] eroded = Erode.erode(AffineWarp.warp(square, inverseAffine, width, height, 0f), SEAM);
        double area = 0; // numpy sums the float32 mask pairwise in float32; the difference cannot move ⌊√area⌋ // 20 but at a boundary
        for (float[] row : eroded) {
            for (float v : row) {
                area += v;
            }
        }
        int edge = (int) Math.sqrt(area) / 20;
        float[][] centre = Erode.erode(eroded, edge * 2);
        return new SquareMask(eroded, GaussianBlur.blur(centre, edge * 2 + 1, 0));
    }
}

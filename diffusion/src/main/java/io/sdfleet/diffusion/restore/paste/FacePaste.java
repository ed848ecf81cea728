package io.sdfleet.diffusion.restore.paste;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.align.AffineTransform;
import io.sdfleet.diffusion.restore.align.AffineWarp;

import java.util.List;

/**
 * facexlib's {@code paste_faces_to_input_image} as A1111 calls it (upscale factor 1, no background upsampler,
 * {@code use_parse=True}): each restored face is warped back with its inverse affine (black border), its soft parse
 * mask too (float64), and blended over the image so far in float64, {@code m·face + (1 − m)·image}. The image is
 * quantised once, after the last face, by truncation ({@code astype(uint8)}).
 */
public final class FacePaste {

    /**
     * One face to paste: the restored crop (RGB), the inverse of its alignment, and its soft mask over the crop
     * in [0, 1] (from the face parser).
     */
    public record RestoredFace(PixelPlanes restored, AffineTransform inverseAffine, double[][] mask) {
    }

    private FacePaste() {
    }

    /** The input (RGB) with every face pasted back, in order. */
    public static PixelPlanes paste(PixelPlanes input, List<RestoredFace> faces) {
        int w = input.width();
        int h = input.height();
        int planes = input.channels().length;
        // upscale factor 1: cv2.resize to the same size (LANCZOS4) is a copy
        double[][][] image = new double[planes][h][w];
        for (int c = 0; c < planes; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    image[c][y][x] = input.channels()[c][y][x];
                }
            }
        }
        for (RestoredFace face : faces) {
            blend(image, face, w, h);
        }
        int[][][] out = new int[planes][h][w];
        for (int c = 0; c < planes; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[c][y][x] = (int) Math.min(255, Math.max(0, image[c][y][x]));
                }
            }
        }
        return new PixelPlanes(out);
    }

    /** The face warped back into the image frame (INTER_LINEAR, border 0), as {@code inv_restored}. */
    public static PixelPlanes warpBack(RestoredFace face, int width, int height) {
        int[] black = new int[face.restored().channels().length];
        return AffineWarp.warp(face.restored(), face.inverseAffine(), width, height, black);
    }

    /** The soft mask warped back ({@code flags=3}, INTER_AREA, which warpAffine runs as INTER_LINEAR). */
    public static double[][] warpMask(RestoredFace face, int width, int height) {
        return AffineWarp.warp(face.mask(), face.inverseAffine(), width, height, 0);
    }

    private static void blend(double[][][] image, RestoredFace face, int w, int h) {
        PixelPlanes restored = warpBack(face, w, h);
        double[][] mask = warpMask(face, w, h);
        for (int c = 0; c < image.length; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double m = mask[y][x];
                    image[c][y][x] = m * restored.channels()[c][y][x] + (1 - m) * image[c][y][x];
                }
            }
        }
    }
}

package io.sdfleet.diffusion.restore.paste;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.align.AffineTransform;
import io.sdfleet.diffusion.restore.opencv.AffineWarp;

import java.util.List;

/**
 * facexlib's {@code paste_faces_to_input_image} at upscale factor 1 without a background upsampler, as A1111 calls
 * it: each restored face is warped back with its inverse affine (black border) and blended over the image so far,
 * {@code m·face + (1 − m)·image}; the image is quantised once, after the last face, by truncation
 * ({@code astype(uint8)}).
 *
 * <p>With a parse mask ({@code use_parse=True}, A1111's setting) the mask is warped back too and the blend runs in
 * float64. Without one, facexlib's square mask is used ({@link SquareMask}) and the blend runs in float32, as numpy
 * does with its float32 masks.
 */
public final class FacePaste {

    /**
     * One face to paste: the restored crop (RGB), the inverse of its alignment, and its soft mask over the crop in
     * [0, 1] from the face parser, or null for facexlib's square mask.
     */
    public record RestoredFace(PixelPlanes restored, AffineTransform inverseAffine, double[][] mask) {
    }

    private FacePaste() {
    }

    /** The input (RGB) with every face pasted back, in order; the faces all have parse masks, or none has. */
    public static PixelPlanes paste(PixelPlanes input, List<RestoredFace> faces) {
        int w = input.width();
        int h = input.height();
        int planes = input.channels().length;
        long parsed = faces.stream().filter(f -> f.mask() != null).count();
        if (parsed != 0 && parsed != faces.size()) {
            throw new IllegalArgumentException("faces with and without parse masks cannot be pasted together");
        }
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
            if (face.mask() != null) {
                blendParsed(image, face, w, h);
            } else {
                blendSquare(image, face, w, h);
            }
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

    /** The parse mask warped back ({@code flags=3}, INTER_AREA, which warpAffine runs as INTER_LINEAR). */
    public static double[][] warpMask(RestoredFace face, int width, int height) {
        return AffineWarp.warp(face.mask(), face.inverseAffine(), width, height, 0);
    }

    private static void blendParsed(double[][][] image, RestoredFace face, int w, int h) {
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

    /** float32 throughout: the pasted face is the eroded mask times the warped face. */
    private static void blendSquare(double[][][] image, RestoredFace face, int w, int h) {
        PixelPlanes restored = warpBack(face, w, h);
        SquareMask mask = SquareMask.of(face.restored().width(), face.restored().height(), face.inverseAffine(), w, h);
        for (int c = 0; c < image.length; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float m = mask.soft()[y][x];
                    float pasted = mask.eroded()[y][x] * restored.channels()[c][y][x];
                    image[c][y][x] = m * pasted + (1 - m) * (float) image[c][y][x];
                }
            }
        }
    }
}

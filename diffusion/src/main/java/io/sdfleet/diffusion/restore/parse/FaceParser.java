package io.sdfleet.diffusion.restore.parse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.opencv.GaussianBlur;

/**
 * The soft face mask of facexlib's {@code paste_faces_to_input_image} with {@code use_parse=True} (A1111's
 * setting): ParseNet's classes for the restored 512×512 face, 255 for the face classes of {@code MASK_COLORMAP}
 * (not background, neck, cloth, hair or hat), two 101×101 σ=11 Gaussian blurs, a 10-pixel border set to 0, then /255.
 */
public final class FaceParser {

    /** ParseNet's input size. */
    public static final int SIZE = 512;

    /** facexlib's MASK_COLORMAP: the value each of the 19 classes paints. */
    private static final int[] MASK_COLORMAP = {0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0,
            255, 0, 0, 0};
    private static final int BLUR_SIZE = 101;
    private static final double BLUR_SIGMA = 11;
    private static final int BORDER = 10;

    private final ParseNet net;

    public FaceParser(ParseNet net) {
        this.net = net;
    }

    /** The soft mask in [0, 1] over the 512×512 restored face (RGB planes). */
    public double[][] mask(PixelPlanes restoredFace, NDManager manager) {
        return finish(blurTwice(paint(classes(restoredFace, manager))));
    }

    /** ParseNet's argmax class per pixel (the first of equal logits, as torch's argmax). */
    public int[][] classes(PixelPlanes restoredFace, NDManager manager) {
        if (restoredFace.width() != SIZE || restoredFace.height() != SIZE) {
            // facexlib resizes to 512 with INTER_LINEAR; A1111's faces are always 512, so that resize is a copy
            throw new IllegalArgumentException("the restored face must be 512×512, not "
                    + restoredFace.width() + "×" + restoredFace.height());
        }
        try (NDManager call = manager.newSubManager()) {
            NDArray logits = net.forward(input(restoredFace, call));
            int[] flat = logits.argMax(1).toType(DataType.INT32, false).toIntArray();
            int[][] out = new int[SIZE][SIZE];
            for (int y = 0; y < SIZE; y++) {
                System.arraycopy(flat, y * SIZE, out[y], 0, SIZE);
            }
            return out;
        }
    }

    /** [1, 3, 512, 512]: float32(u8) / 255, then normalised with mean 0.5 and std 0.5, as facexlib (float32 ops). */
    static NDArray input(PixelPlanes rgb, NDManager manager) {
        int plane = SIZE * SIZE;
        float[] values = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    float v = rgb.channels()[c][y][x] / 255f;
                    values[c * plane + y * SIZE + x] = (v - 0.5f) / 0.5f;
                }
            }
        }
        return manager.create(values, new Shape(1, 3, SIZE, SIZE));
    }

    /** MASK_COLORMAP applied to the classes, as float64. */
    public static double[][] paint(int[][] classes) {
        double[][] mask = new double[classes.length][classes[0].length];
        for (int y = 0; y < classes.length; y++) {
            for (int x = 0; x < classes[0].length; x++) {
                mask[y][x] = MASK_COLORMAP[classes[y][x]];
            }
        }
        return mask;
    }

    /** The two {@code cv2.GaussianBlur(mask, (101, 101), 11)} passes. */
    public static double[][] blurTwice(double[][] painted) {
        return GaussianBlur.blur(GaussianBlur.blur(painted, BLUR_SIZE, BLUR_SIGMA), BLUR_SIZE, BLUR_SIGMA);
    }

    /** Zeroes the 10-pixel frame ("remove the black borders") and scales to [0, 1]. */
    public static double[][] finish(double[][] blurred) {
        int h = blurred.length;
        int w = blurred[0].length;
        double[][] out = new double[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                boolean frame = y < BORDER || y >= h - BORDER || x < BORDER || x >= w - BORDER;
                out[y][x] = frame ? 0 : blurred[y][x] / 255.;
            }
        }
        return out;
    }
}

package io.sdfleet.diffusion.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * An 8-bit image as separate channel planes [c][y][x] (0..255): the form the resampler, masks and blends work on,
 * and the bridge to the VAE's [1, 3, H, W] tensors in [−1, 1].
 */
public record PixelPlanes(int[][][] channels) {

    public int width() {
        return channels[0][0].length;
    }

    public int height() {
        return channels[0].length;
    }

    /** RGB planes of an image (alpha dropped, as A1111's {@code convert("RGB")}). */
    public static PixelPlanes rgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[][][] c = new int[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = image.getRGB(x, y);
                c[0][y][x] = (p >> 16) & 0xff;
                c[1][y][x] = (p >> 8) & 0xff;
                c[2][y][x] = p & 0xff;
            }
        }
        return new PixelPlanes(c);
    }

    /** One luminance plane, as Pillow's {@code convert("L")}: (299·R + 587·G + 114·B) / 1000, rounded. */
    public static PixelPlanes luminance(BufferedImage image) {
        PixelPlanes rgb = rgb(image);
        int w = rgb.width();
        int h = rgb.height();
        int[][] l = new int[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                l[y][x] = (rgb.channels[0][y][x] * 19595 + rgb.channels[1][y][x] * 38470
                        + rgb.channels[2][y][x] * 7471 + 0x8000) >> 16;
            }
        }
        return new PixelPlanes(new int[][][] {l});
    }

    /** A single-plane image with every pixel {@code value}. */
    public static PixelPlanes filled(int width, int height, int channels, int value) {
        int[][][] c = new int[channels][height][width];
        for (int[][] plane : c) {
            for (int[] row : plane) {
                Arrays.fill(row, value);
            }
        }
        return new PixelPlanes(c);
    }

    public BufferedImage toImage() {
        int w = width();
        int h = height();
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = channels[0][y][x];
                int g = channels[channels.length > 1 ? 1 : 0][y][x];
                int b = channels[channels.length > 2 ? 2 : 0][y][x];
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return image;
    }

    /** [1, C, H, W] float32 in [−1, 1], as A1111 feeds images to the VAE (x / 127.5 − 1). */
    public NDArray toTensor(NDManager manager) {
        int c = channels.length;
        int h = height();
        int w = width();
        float[] values = new float[c * h * w];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    values[(ch * h + y) * w + x] = channels[ch][y][x] / 255f * 2f - 1f;
                }
            }
        }
        return manager.create(values, new Shape(1, c, h, w));
    }
}

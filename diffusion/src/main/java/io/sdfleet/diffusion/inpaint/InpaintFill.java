package io.sdfleet.diffusion.inpaint;

import io.sdfleet.diffusion.image.PixelPlanes;

/**
 * A1111's inpainting fill "fill" ({@code masking.fill}): the area to repaint is painted with ever less blurred
 * copies of the kept pixels (blur radii 256, 64, 16, 4, 2, 0, alpha-composited in that order), so it starts from
 * the surrounding colours instead of whatever was there. Blurs are Pillow-like: three box blurs per Gaussian.
 */
final class InpaintFill {

    private static final int[][] RADII_AND_REPEATS = {{256, 1}, {64, 1}, {16, 2}, {4, 4}, {2, 2}, {0, 1}};

    private InpaintFill() {
    }

    /** @param mask 255 = repaint (the latent mask, before any overlay doubling) */
    static PixelPlanes fill(PixelPlanes image, int[][] mask) {
        int h = image.height();
        int w = image.width();
        // Premultiplied RGBa of the kept pixels: colour × alpha, alpha = 1 − mask.
        double[][][] kept = new double[4][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double alpha = 1 - mask[y][x] / 255.0;
                for (int c = 0; c < 3; c++) {
                    kept[c][y][x] = image.channels()[c][y][x] / 255.0 * alpha;
                }
                kept[3][y][x] = alpha;
            }
        }
        double[][][] canvas = new double[4][h][w]; // straight (not premultiplied) RGBA, fully transparent
        for (int[] radiusAndRepeats : RADII_AND_REPEATS) {
            double[][][] blurred = new double[4][][];
            for (int c = 0; c < 4; c++) {
                blurred[c] = gaussian(kept[c], radiusAndRepeats[0]);
            }
            for (int repeat = 0; repeat < radiusAndRepeats[1]; repeat++) {
                compositeOver(canvas, blurred);
            }
        }
        int[][][] out = new int[3][h][w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[c][y][x] = (int) Math.max(0, Math.min(255, Math.round(canvas[c][y][x] * 255)));
                }
            }
        }
        return new PixelPlanes(out);
    }

    /** Porter-Duff "over" of premultiplied {@code src} onto straight-alpha {@code dst}, in place. */
    private static void compositeOver(double[][][] dst, double[][][] src) {
        int h = dst[0].length;
        int w = dst[0][0].length;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sa = src[3][y][x];
                double da = dst[3][y][x];
                double outA = sa + da * (1 - sa);
                for (int c = 0; c < 3; c++) {
                    double premultiplied = src[c][y][x] + dst[c][y][x] * da * (1 - sa);
                    dst[c][y][x] = outA > 0 ? premultiplied / outA : 0;
                }
                dst[3][y][x] = outA;
            }
        }
    }

    /** A Gaussian of standard deviation {@code radius} as three box blurs (edges extended). */
    private static double[][] gaussian(double[][] plane, int radius) {
        if (radius == 0) {
            return plane;
        }
        int box = (int) Math.floor((Math.sqrt(12.0 * radius * radius / 3 + 1) - 1) / 2);
        double[][] out = plane;
        for (int pass = 0; pass < 3; pass++) {
            out = box(box(out, box, true), box, false);
        }
        return out;
    }

    private static double[][] box(double[][] in, int r, boolean horizontal) {
        int h = in.length;
        int w = in[0].length;
        double[][] out = new double[h][w];
        int n = horizontal ? w : h;
        int lines = horizontal ? h : w;
        for (int line = 0; line < lines; line++) {
            double sum = 0;
            for (int i = -r; i <= r; i++) {
                sum += at(in, line, clamp(i, n), horizontal);
            }
            for (int i = 0; i < n; i++) {
                set(out, line, i, horizontal, sum / (2 * r + 1));
                sum += at(in, line, clamp(i + r + 1, n), horizontal) - at(in, line, clamp(i - r, n), horizontal);
            }
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }

    private static double at(double[][] a, int line, int i, boolean horizontal) {
        return horizontal ? a[line][i] : a[i][line];
    }

    private static void set(double[][] a, int line, int i, boolean horizontal, double v) {
        if (horizontal) {
            a[line][i] = v;
        } else {
            a[i][line] = v;
        }
    }
}

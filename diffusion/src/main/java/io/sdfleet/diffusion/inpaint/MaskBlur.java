package io.sdfleet.diffusion.inpaint;

/**
 * A1111's {@code mask_blur}: OpenCV's GaussianBlur run once along x and once along y, kernel size
 * 2·⌊2.5·σ + 0.5⌋ + 1, borders reflected without repeating the edge pixel (BORDER_REFLECT_101).
 */
final class MaskBlur {

    private MaskBlur() {
    }

    static int[][] blur(int[][] mask, double sigmaX, double sigmaY) {
        int[][] out = mask;
        if (sigmaX > 0) {
            out = along(out, kernel(sigmaX), true);
        }
        if (sigmaY > 0) {
            out = along(out, kernel(sigmaY), false);
        }
        return out;
    }

    private static double[] kernel(double sigma) {
        int size = 2 * (int) (2.5 * sigma + 0.5) + 1;
        double[] k = new double[size];
        double sum = 0;
        int half = size / 2;
        for (int i = 0; i < size; i++) {
            double d = i - half;
            k[i] = Math.exp(-d * d / (2 * sigma * sigma));
            sum += k[i];
        }
        for (int i = 0; i < size; i++) {
            k[i] /= sum;
        }
        return k;
    }

    private static int[][] along(int[][] in, double[] k, boolean horizontal) {
        int h = in.length;
        int w = in[0].length;
        int half = k.length / 2;
        int[][] out = new int[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double acc = 0;
                for (int i = 0; i < k.length; i++) {
                    int sx = horizontal ? reflect(x + i - half, w) : x;
                    int sy = horizontal ? y : reflect(y + i - half, h);
                    acc += k[i] * in[sy][sx];
                }
                out[y][x] = (int) Math.max(0, Math.min(255, Math.round(acc)));
            }
        }
        return out;
    }

    /** BORDER_REFLECT_101: …, 2, 1 | 0, 1, 2, … , n−1 | n−2, … */
    private static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * n - 2 - i;
        }
        return i;
    }
}

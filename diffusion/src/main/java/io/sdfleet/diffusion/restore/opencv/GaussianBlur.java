package io.sdfleet.diffusion.restore.opencv;

/**
 * OpenCV's {@code GaussianBlur} for a float64 or float32 plane with an odd size: the bit-exact kernel of
 * {@code getGaussianKernel} (OpenCV ≥ 4.1 computes it in soft double, which Java's IEEE doubles reproduce), applied
 * separably, rows first, with BORDER_REFLECT_101 (…2 1 | 0 1 2 … n−1 | n−2 …).
 */
public final class GaussianBlur {

    private GaussianBlur() {
    }

    /** OpenCV's fixed kernels for sigma ≤ 0 and sizes 1, 3, 5, 7 ({@code small_gaussian_tab}). */
    private static final double[][] SMALL = {
            {1}, {0.25, 0.5, 0.25}, {0.0625, 0.25, 0.375, 0.25, 0.0625},
            {0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125}};

    /**
     * {@code cv2.getGaussianKernel(size, sigma)} for an odd size; sigma ≤ 0 means OpenCV's default for the size
     * (the fixed kernels up to 7, else 0.3·((size − 1)/2 − 1) + 0.8, computed as one fused multiply-add).
     */
    public static double[] kernel(int size, double sigma) {
        if (size % 2 == 0 || size < 1) {
            throw new IllegalArgumentException("only odd kernel sizes: " + size);
        }
        if (sigma <= 0 && size <= 7) {
            return SMALL[size / 2].clone();
        }
        double sigmaX = sigma > 0 ? sigma : Math.fma(size, 0.15, 0.35);
        // x runs over 2·(i − (n−1)/2), hence the factor 1/4 in the exponent's scale
        double scale2X = -0.125 / (sigmaX * sigmaX);
        int half = (size - 1) / 2;
        double[] values = new double[half];
        double sum = 0;
        for (int i = 0, x = 1 - size; i < half; i++, x += 2) {
            values[i] = StrictMath.exp((double) (x * x) * scale2X);
            sum += values[i];
        }
        sum *= 2;
        sum += 1; // the centre tap, exp(0)
        double mul = 1 / sum;
        double[] k = new double[size];
        for (int i = 0; i < half; i++) {
            k[i] = values[i] * mul;
            k[size - 1 - i] = k[i];
        }
        k[half] = mul;
        return k;
    }

    /** {@code cv2.GaussianBlur(src, (size, size), sigma)} (BORDER_REFLECT_101). */
    public static double[][] blur(double[][] src, int size, double sigma) {
        double[] k = kernel(size, sigma);
        int h = src.length;
        int w = src[0].length;
        int r = size / 2;
        int[] xs = new int[w + 2 * r];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = reflect101(i - r, w);
        }
        double[][] rows = new double[h][w];
        for (int y = 0; y < h; y++) {
            double[] in = src[y];
            double[] out = rows[y];
            for (int x = 0; x < w; x++) {
                double s = 0;
                for (int t = 0; t < size; t++) {
                    s += k[t] * in[xs[x + t]];
                }
                out[x] = s;
            }
        }
        double[][] out = new double[h][w];
        for (int y = 0; y < h; y++) {
            double[] acc = out[y];
            for (int t = 0; t < size; t++) {
                double kt = k[t];
                double[] in = rows[reflect101(y - r + t, h)];
                for (int x = 0; x < w; x++) {
                    acc[x] += kt * in[x];
                }
            }
        }
        return out;
    }

    /** The same for a float32 plane: the kernel rounded to float32 and float32 sums, as OpenCV's CV_32F path. */
    public static float[][] blur(float[][] src, int size, double sigma) {
        double[] kd = kernel(size, sigma);
        float[] k = new float[size];
        for (int i = 0; i < size; i++) {
            k[i] = (float) kd[i];
        }
        int h = src.length;
        int w = src[0].length;
        int r = size / 2;
        float[][] rows = new float[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float s = 0;
                for (int t = 0; t < size; t++) {
                    s += k[t] * src[y][reflect101(x - r + t, w)];
                }
                rows[y][x] = s;
            }
        }
        float[][] out = new float[h][w];
        for (int y = 0; y < h; y++) {
            for (int t = 0; t < size; t++) {
                float kt = k[t];
                float[] in = rows[reflect101(y - r + t, h)];
                for (int x = 0; x < w; x++) {
                    out[y][x] += kt * in[x];
                }
            }
        }
        return out;
    }

    /** OpenCV's {@code borderInterpolate} for BORDER_REFLECT_101. */
    static int reflect101(int p, int n) {
        if (n == 1) {
            return 0;
        }
        while (p < 0 || p >= n) {
            p = p < 0 ? -p : 2 * n - 2 - p;
        }
        return p;
    }
}

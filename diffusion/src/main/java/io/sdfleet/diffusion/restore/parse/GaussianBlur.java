package io.sdfleet.diffusion.restore.parse;

/**
 * OpenCV's {@code GaussianBlur} for a float64 plane with an explicit odd size and sigma: the bit-exact kernel of
 * {@code getGaussianKernel} (OpenCV ≥ 4.1 computes it in soft double, which Java's IEEE doubles reproduce), applied
 * separably, rows first, with BORDER_REFLECT_101 (…2 1 | 0 1 2 … n−1 | n−2 …).
 */
public final class GaussianBlur {

    private GaussianBlur() {
    }

    /** {@code cv2.getGaussianKernel(size, sigma)} for sigma > 0. */
    public static double[] kernel(int size, double sigma) {
        if (size % 2 == 0 || sigma <= 0) {
            throw new IllegalArgumentException("only odd sizes with a positive sigma: " + size + ", " + sigma);
        }
        // x runs over 2·(i − (n−1)/2), hence the factor 1/4 in the exponent's scale
        double scale2X = -0.125 / (sigma * sigma);
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

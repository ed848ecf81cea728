package io.sdfleet.diffusion.image;

/**
 * OpenCV's {@code cv2.resize(img, (w, h), interpolation=cv2.INTER_LANCZOS4)} for 8-bit images, bit for bit: the
 * generic separable path with 8 taps at any scale (no widening when shrinking), pixel centres mapped by
 * {@code (d + 0.5)·src/dst − 0.5}, edge pixels repeated beyond the border, and OpenCV's fixed point: each tap's
 * weight is rounded to 1/2048, the horizontal pass sums in integers, the vertical pass too, and the result is
 * rounded by {@code (s + 2²¹) >> 22} and saturated.
 */
public final class OpenCvLanczos4 {

    private static final int TAPS = 8;
    private static final int COEF_SCALE = 1 << 11;
    private static final int SHIFT = 22;
    private static final double S45 = 0.70710678118654752440084436210485;
    private static final double[][] CS = {{1, 0}, {-S45, -S45}, {0, 1}, {S45, -S45}, {-1, 0}, {S45, S45}, {0, -1},
            {-S45, S45}};

    private OpenCvLanczos4() {
    }

    public static PixelPlanes resize(PixelPlanes image, int width, int height) {
        int srcW = image.width();
        int srcH = image.height();
        Axis xs = axis(srcW, width);
        Axis ys = axis(srcH, height);
        int[][][] out = new int[image.channels().length][height][width];
        int[][] rows = new int[srcH][width];
        for (int c = 0; c < out.length; c++) {
            int[][] plane = image.channels()[c];
            for (int y = 0; y < srcH; y++) {
                for (int dx = 0; dx < width; dx++) {
                    int sum = 0;
                    for (int k = 0; k < TAPS; k++) {
                        sum += plane[y][clamp(xs.start[dx] + k, srcW)] * xs.weights[dx * TAPS + k];
                    }
                    rows[y][dx] = sum;
                }
            }
            for (int dy = 0; dy < height; dy++) {
                for (int dx = 0; dx < width; dx++) {
                    int sum = 0;
                    for (int k = 0; k < TAPS; k++) {
                        sum += rows[clamp(ys.start[dy] + k, srcH)][dx] * ys.weights[dy * TAPS + k];
                    }
                    out[c][dy][dx] = Math.max(0, Math.min(255, (sum + (1 << (SHIFT - 1))) >> SHIFT));
                }
            }
        }
        return new PixelPlanes(out);
    }

    /** First source index and the 8 fixed-point weights of every destination index along one axis. */
    private record Axis(int[] start, int[] weights) {
    }

    private static Axis axis(int src, int dst) {
        double scale = 1.0 / ((double) dst / src);
        int[] start = new int[dst];
        int[] weights = new int[dst * TAPS];
        float[] coeffs = new float[TAPS];
        for (int d = 0; d < dst; d++) {
            float f = (float) ((d + 0.5) * scale - 0.5);
            int s = (int) Math.floor(f);
            f -= s;
            start[d] = s - TAPS / 2 + 1;
            coefficients(f, coeffs);
            for (int k = 0; k < TAPS; k++) {
                weights[d * TAPS + k] = (int) Math.rint(coeffs[k] * COEF_SCALE);
            }
        }
        return new Axis(start, weights);
    }

    /** OpenCV's {@code interpolateLanczos4}: sin(πx/4)·sin(πx)/(π²x²/4) per tap from the sines at the first, normalised in fp32. */
    static void coefficients(float x, float[] coeffs) {
        float sum = 0;
        double y0 = -(x + 3) * Math.PI * 0.25;
        double s0 = Math.sin(y0);
        double c0 = Math.cos(y0);
        for (int i = 0; i < TAPS; i++) {
            float offset = x + 3 - i;
            if (Math.abs(offset) >= 1e-6f) {
                double y = -offset * Math.PI * 0.25;
                coeffs[i] = (float) ((CS[i][0] * s0 + CS[i][1] * c0) / (y * y));
            } else {
                coeffs[i] = 1e30f;
            }
            sum += coeffs[i];
        }
        sum = 1f / sum;
        for (int i = 0; i < TAPS; i++) {
            coeffs[i] *= sum;
        }
    }

    private static int clamp(int i, int size) {
        return i < 0 ? 0 : i >= size ? size - 1 : i;
    }
}

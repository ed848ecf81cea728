package io.sdfleet.diffusion.restore.opencv;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.align.AffineTransform;

/**
 * OpenCV's {@code warpAffine} with INTER_LINEAR and BORDER_CONSTANT, bit for bit.
 *
 * <p>OpenCV inverts the matrix (dst → src), then steps through destination pixels in fixed point: source
 * coordinates with 10 fractional bits, rounded to 1/32 pixel ({@code INTER_BITS} 5). The integer part picks the
 * 2×2 neighbourhood, the 5+5 fractional bits pick a bilinear weight table entry. For 8-bit images the weights are
 * 15-bit integers (and the entry for a zero fraction is OpenCV's {32767, 0, 0, 1}); for float64 they are float32.
 * A neighbour outside the source takes the border value.
 */
public final class AffineWarp {

    private static final int INTER_BITS = 5;
    private static final int TAB_SIZE = 1 << INTER_BITS;
    private static final int AB_BITS = 10;
    private static final int AB_SCALE = 1 << AB_BITS;
    private static final int ROUND_DELTA = AB_SCALE / TAB_SIZE / 2;
    private static final int COEF_BITS = 15;

    private AffineWarp() {
    }

    /**
     * {@code cv2.warpAffine(src, matrix, (width, height), borderMode=BORDER_CONSTANT, borderValue=border)} for an
     * 8-bit image; {@code border} holds one value per plane, in the planes' order (RGB here, where OpenCV's
     * borderValue tuples are BGR).
     */
    public static PixelPlanes warp(PixelPlanes src, AffineTransform matrix, int width, int height, int[] border) {
        int planes = src.channels().length;
        int sw = src.width();
        int sh = src.height();
        int[][][] out = new int[planes][height][width];
        Grid grid = new Grid(matrix, width);
        for (int y = 0; y < height; y++) {
            grid.row(y);
            for (int x = 0; x < width; x++) {
                int sx = grid.sx[x];
                int sy = grid.sy[x];
                int fx = grid.fx[x];
                int fy = grid.fy[x];
                int w0;
                int w1;
                int w2;
                int w3;
                if (fx == 0 && fy == 0) {
                    // OpenCV's table: 32768 saturates to 32767 in a short and the deficit lands on the last tap
                    w0 = 32767;
                    w1 = 0;
                    w2 = 0;
                    w3 = 1;
                } else {
                    w0 = (TAB_SIZE - fx) * (TAB_SIZE - fy) * TAB_SIZE;
                    w1 = fx * (TAB_SIZE - fy) * TAB_SIZE;
                    w2 = (TAB_SIZE - fx) * fy * TAB_SIZE;
                    w3 = fx * fy * TAB_SIZE;
                }
                boolean x0In = sx >= 0 && sx < sw;
                boolean x1In = sx + 1 >= 0 && sx + 1 < sw;
                boolean y0In = sy >= 0 && sy < sh;
                boolean y1In = sy + 1 >= 0 && sy + 1 < sh;
                for (int c = 0; c < planes; c++) {
                    int[][] s = src.channels()[c];
                    int cval = border[c];
                    int v0 = x0In && y0In ? s[sy][sx] : cval;
                    int v1 = x1In && y0In ? s[sy][sx + 1] : cval;
                    int v2 = x0In && y1In ? s[sy + 1][sx] : cval;
                    int v3 = x1In && y1In ? s[sy + 1][sx + 1] : cval;
                    int sum = v0 * w0 + v1 * w1 + v2 * w2 + v3 * w3;
                    out[c][y][x] = Math.min(255, Math.max(0, (sum + (1 << (COEF_BITS - 1))) >> COEF_BITS));
                }
            }
        }
        return new PixelPlanes(out);
    }

    /** The same for one float64 plane (OpenCV's CV_64F path: float32 weights, double sums). */
    public static double[][] warp(double[][] src, AffineTransform matrix, int width, int height, double border) {
        int sw = src[0].length;
        int sh = src.length;
        double[][] out = new double[height][width];
        Grid grid = new Grid(matrix, width);
        for (int y = 0; y < height; y++) {
            grid.row(y);
            for (int x = 0; x < width; x++) {
                int sx = grid.sx[x];
                int sy = grid.sy[x];
                float ax = grid.fx[x] * (1.f / TAB_SIZE);
                float ay = grid.fy[x] * (1.f / TAB_SIZE);
                float w0 = (1.f - ay) * (1.f - ax);
                float w1 = (1.f - ay) * ax;
                float w2 = ay * (1.f - ax);
                float w3 = ay * ax;
                boolean x0In = sx >= 0 && sx < sw;
                boolean x1In = sx + 1 >= 0 && sx + 1 < sw;
                boolean y0In = sy >= 0 && sy < sh;
                boolean y1In = sy + 1 >= 0 && sy + 1 < sh;
                double v0 = x0In && y0In ? src[sy][sx] : border;
                double v1 = x1In && y0In ? src[sy][sx + 1] : border;
                double v2 = x0In && y1In ? src[sy + 1][sx] : border;
                double v3 = x1In && y1In ? src[sy + 1][sx + 1] : border;
                out[y][x] = v0 * w0 + v1 * w1 + v2 * w2 + v3 * w3;
            }
        }
        return out;
    }

    /** The same for one float32 plane (OpenCV's CV_32F path: float32 weights and sums). */
    public static float[][] warp(float[][] src, AffineTransform matrix, int width, int height, float border) {
        int sw = src[0].length;
        int sh = src.length;
        float[][] out = new float[height][width];
        Grid grid = new Grid(matrix, width);
        for (int y = 0; y < height; y++) {
            grid.row(y);
            for (int x = 0; x < width; x++) {
                int sx = grid.sx[x];
                int sy = grid.sy[x];
                float ax = grid.fx[x] * (1.f / TAB_SIZE);
                float ay = grid.fy[x] * (1.f / TAB_SIZE);
                boolean x0In = sx >= 0 && sx < sw;
                boolean x1In = sx + 1 >= 0 && sx + 1 < sw;
                boolean y0In = sy >= 0 && sy < sh;
                boolean y1In = sy + 1 >= 0 && sy + 1 < sh;
                float v0 = x0In && y0In ? src[sy][sx] : border;
                float v1 = x1In && y0In ? src[sy][sx + 1] : border;
                float v2 = x0In && y1In ? src[sy + 1][sx] : border;
                float v3 = x1In && y1In ? src[sy + 1][sx + 1] : border;
                out[y][x] = v0 * ((1.f - ay) * (1.f - ax)) + v1 * ((1.f - ay) * ax) + v2 * (ay * (1.f - ax))
                        + v3 * (ay * ax);
            }
        }
        return out;
    }

    /** Source coordinates of one destination row: integer parts and 1/32 fractions, as WarpAffineInvoker. */
    private static final class Grid {
        final int[] sx;
        final int[] sy;
        final int[] fx;
        final int[] fy;
        private final int[] adelta;
        private final int[] bdelta;
        private final AffineTransform inv;

        Grid(AffineTransform forward, int width) {
            inv = forward.inverse();
            sx = new int[width];
            sy = new int[width];
            fx = new int[width];
            fy = new int[width];
            adelta = new int[width];
            bdelta = new int[width];
            for (int x = 0; x < width; x++) {
                adelta[x] = saturateInt(inv.a() * x * AB_SCALE);
                bdelta[x] = saturateInt(inv.d() * x * AB_SCALE);
            }
        }

        void row(int y) {
            int x0 = saturateInt((inv.b() * y + inv.c()) * AB_SCALE) + ROUND_DELTA;
            int y0 = saturateInt((inv.e() * y + inv.f()) * AB_SCALE) + ROUND_DELTA;
            for (int x = 0; x < sx.length; x++) {
                int gx = (x0 + adelta[x]) >> (AB_BITS - INTER_BITS);
                int gy = (y0 + bdelta[x]) >> (AB_BITS - INTER_BITS);
                sx[x] = saturateShort(gx >> INTER_BITS);
                sy[x] = saturateShort(gy >> INTER_BITS);
                fx[x] = gx & (TAB_SIZE - 1);
                fy[x] = gy & (TAB_SIZE - 1);
            }
        }

        /** {@code saturate_cast<int>(double)}: round half to even, clamped. */
        private static int saturateInt(double v) {
            double r = Math.rint(v);
            return r >= Integer.MAX_VALUE ? Integer.MAX_VALUE : r <= Integer.MIN_VALUE ? Integer.MIN_VALUE : (int) r;
        }

        private static int saturateShort(int v) {
            return Math.min(Short.MAX_VALUE, Math.max(Short.MIN_VALUE, v));
        }
    }
}

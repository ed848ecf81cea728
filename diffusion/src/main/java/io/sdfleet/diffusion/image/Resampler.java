package io.sdfleet.diffusion.image;

/**
 * Pillow's {@code Image.resize} for 8-bit channels, so that masks and init images are resized to the same pixels
 * A1111 gets: a separable convolution (horizontal pass, then vertical), the filter widened by the scale factor when
 * shrinking (antialiasing), weights normalised per output pixel and applied in Pillow's 22-bit fixed point with the
 * intermediate result rounded to 8 bits.
 */
public final class Resampler {

    private static final int PRECISION_BITS = 32 - 8 - 2;

    /** Pillow's resampling filters with their support radius. */
    public enum Filter {
        NEAREST(0), BILINEAR(1), BICUBIC(2), LANCZOS(3);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            double ax = Math.abs(x);
            return switch (this) {
                case NEAREST -> 0;
                case BILINEAR -> ax < 1 ? 1 - ax : 0;
                case BICUBIC -> bicubic(ax);
                case LANCZOS -> ax < 3 ? sinc(ax) * sinc(ax / 3) : 0;
            };
        }

        private static double bicubic(double x) {
            double a = -0.5; // Pillow's choice (Keys' cubic with a = -0.5)
            if (x < 1) {
                return ((a + 2) * x - (a + 3)) * x * x + 1;
            }
            if (x < 2) {
                return (((x - 5) * x + 8) * x - 4) * a;
            }
            return 0;
        }

        private static double sinc(double x) {
            if (x == 0) {
                return 1;
            }
            double px = Math.PI * x;
            return Math.sin(px) / px;
        }
    }

    private Resampler() {
    }

    /** One channel [h][w] of 0..255 values resized to [newH][newW]. */
    public static int[][] resize(int[][] channel, int newW, int newH, Filter filter) {
        int h = channel.length;
        int w = channel[0].length;
        if (filter == Filter.NEAREST) {
            return nearest(channel, newW, newH);
        }
        int[][] horizontal = w == newW ? channel : pass(channel, w, newW, filter, true);
        return h == newH ? horizontal : pass(horizontal, h, newH, filter, false);
    }

    /** Every channel of an RGB image resized. */
    public static PixelPlanes resize(PixelPlanes image, int newW, int newH, Filter filter) {
        int[][][] out = new int[image.channels().length][][];
        for (int c = 0; c < out.length; c++) {
            out[c] = resize(image.channels()[c], newW, newH, filter);
        }
        return new PixelPlanes(out);
    }

    private static int[][] nearest(int[][] channel, int newW, int newH) {
        int h = channel.length;
        int w = channel[0].length;
        int[][] out = new int[newH][newW];
        for (int y = 0; y < newH; y++) {
            int sy = Math.min(h - 1, (int) ((y + 0.5) * h / newH));
            for (int x = 0; x < newW; x++) {
                out[y][x] = channel[sy][Math.min(w - 1, (int) ((x + 0.5) * w / newW))];
            }
        }
        return out;
    }

    /** One 1-D pass along x (horizontal) or y, Pillow's ImagingResampleHorizontal/Vertical. */
    private static int[][] pass(int[][] in, int inSize, int outSize, Filter filter, boolean horizontal) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        int rows = horizontal ? in.length : in[0].length;
        int[][] out = horizontal ? new int[rows][outSize] : new int[outSize][rows];
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            int min = Math.max((int) (center - support + 0.5), 0);
            int max = Math.min((int) (center + support + 0.5), inSize);
            double[] k = new double[max - min];
            double total = 0;
            for (int i = 0; i < k.length; i++) {
                k[i] = filter.weight((i + min - center + 0.5) / filterScale);
                total += k[i];
            }
            int[] fixed = new int[k.length];
            for (int i = 0; i < k.length; i++) {
                double normalised = total == 0 ? 0 : k[i] / total;
                fixed[i] = (int) (normalised < 0 ? normalised * (1 << PRECISION_BITS) - 0.5
                        : normalised * (1 << PRECISION_BITS) + 0.5);
            }
            for (int r = 0; r < rows; r++) {
                long acc = 1L << (PRECISION_BITS - 1);
                for (int i = 0; i < fixed.length; i++) {
                    acc += (long) fixed[i] * (horizontal ? in[r][min + i] : in[min + i][r]);
                }
                int value = (int) Math.max(0, Math.min(255, acc >> PRECISION_BITS));
                if (horizontal) {
                    out[r][o] = value;
                } else {
                    out[o][r] = value;
                }
            }
        }
        return out;
    }
}

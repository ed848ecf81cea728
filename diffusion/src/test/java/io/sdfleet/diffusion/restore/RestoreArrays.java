package io.sdfleet.diffusion.restore;

import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.image.PixelPlanes;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads the restore reference's numpy-layout tensors (HWC BGR images, float64 matrices) into engine forms. */
final class RestoreArrays {

    private RestoreArrays() {
    }

    /** An [H, W, 3] BGR uint8 image as RGB planes. */
    static PixelPlanes bgrPlanes(StoredTensor t) {
        int h = (int) t.shape()[0];
        int w = (int) t.shape()[1];
        ByteBuffer b = t.data().duplicate();
        int[][][] c = new int[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    c[2 - ch][y][x] = b.get((y * w + x) * 3 + ch) & 0xFF;
                }
            }
        }
        return new PixelPlanes(c);
    }

    static double[] doubles(StoredTensor t) {
        int n = Math.toIntExact(t.elementCount());
        ByteBuffer b = t.data().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.type()) {
                case F64 -> b.getDouble(i * 8);
                case F32 -> b.getFloat(i * 4);
                case U8 -> b.get(i) & 0xFF;
                default -> throw new IllegalArgumentException(t.type().toString());
            };
        }
        return out;
    }

    /** An [H, W] tensor as rows. */
    static double[][] plane(StoredTensor t) {
        int h = (int) t.shape()[0];
        int w = (int) t.shape()[1];
        double[] flat = doubles(t);
        double[][] out = new double[h][w];
        for (int y = 0; y < h; y++) {
            System.arraycopy(flat, y * w, out[y], 0, w);
        }
        return out;
    }

    /** An [N, 2] tensor as points. */
    static double[][] points(StoredTensor t) {
        return plane(t);
    }

    /** How many channel values differ at all. */
    static int differing(PixelPlanes a, PixelPlanes b) {
        int n = 0;
        for (int c = 0; c < a.channels().length; c++) {
            for (int y = 0; y < a.height(); y++) {
                for (int x = 0; x < a.width(); x++) {
                    n += a.channels()[c][y][x] != b.channels()[c][y][x] ? 1 : 0;
                }
            }
        }
        return n;
    }

    /** max |a − b| / max |b|. */
    static double relative(double[] a, double[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return diff / scale;
    }
}

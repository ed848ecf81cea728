package io.sdfleet.diffusion.restore.opencv;

/**
 * OpenCV's {@code erode} with a k×k all-ones kernel, its default anchor (k/2, k/2) and border (pixels outside the
 * image never win the minimum), one iteration. An empty kernel means OpenCV's 3×3 default.
 */
public final class Erode {

    private Erode() {
    }

    /** {@code cv2.erode(src, np.ones((k, k), np.uint8))}. */
    public static float[][] erode(float[][] src, int k) {
        if (k <= 0) {
            k = 3;
        }
        int anchor = k / 2;
        int h = src.length;
        int w = src[0].length;
        float[][] rows = new float[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = Float.POSITIVE_INFINITY;
                for (int t = Math.max(0, x - anchor); t <= Math.min(w - 1, x - anchor + k - 1); t++) {
                    m = Math.min(m, src[y][t]);
                }
                rows[y][x] = m;
            }
        }
        float[][] out = new float[h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float m = Float.POSITIVE_INFINITY;
                for (int t = Math.max(0, y - anchor); t <= Math.min(h - 1, y - anchor + k - 1); t++) {
                    m = Math.min(m, rows[t][x]);
                }
                out[y][x] = m;
            }
        }
        return out;
    }
}

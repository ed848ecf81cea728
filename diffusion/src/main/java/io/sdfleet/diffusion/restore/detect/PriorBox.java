package io.sdfleet.diffusion.restore.detect;

/**
 * RetinaFace's anchors (facexlib's {@code PriorBox}, clip off) for an H×W input, in the heads' order: levels of
 * stride 8, 16, 32 over ceil(H/s)×ceil(W/s) positions, row-major, two sizes per position ([16, 32], [64, 128],
 * [256, 512] px). Each prior is (cx, cy, w, h) as fractions of the image, computed in double and stored as fp32
 * like torch.Tensor(list) does.
 */
public final class PriorBox {

    static final int[] STEPS = {8, 16, 32};
    static final int[][] MIN_SIZES = {{16, 32}, {64, 128}, {256, 512}};

    private PriorBox() {
    }

    /** [N·4] priors for an image of {@code height}×{@code width}. */
    public static float[] priors(int height, int width) {
        int count = 0;
        for (int k = 0; k < STEPS.length; k++) {
            count += ceilDiv(height, STEPS[k]) * ceilDiv(width, STEPS[k]) * MIN_SIZES[k].length;
        }
        float[] out = new float[count * 4];
        int n = 0;
        for (int k = 0; k < STEPS.length; k++) {
            int rows = ceilDiv(height, STEPS[k]);
            int cols = ceilDiv(width, STEPS[k]);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    for (int minSize : MIN_SIZES[k]) {
                        out[n++] = (float) ((j + 0.5) * STEPS[k] / width);
                        out[n++] = (float) ((i + 0.5) * STEPS[k] / height);
                        out[n++] = (float) ((double) minSize / width);
                        out[n++] = (float) ((double) minSize / height);
                    }
                }
            }
        }
        return out;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}

package io.sdfleet.diffusion.restore.align;

/**
 * facexlib's five-landmark template for FFHQ-aligned faces (left eye, right eye, nose tip, left and right mouth
 * corners, in x, y pixels of a 512×512 crop), scaled for other face sizes as {@code FaceRestoreHelper} does with
 * crop ratio (1, 1).
 */
public final class FaceTemplate {

    private static final double[][] FFHQ_512 = {
            {192.98138, 239.94708}, {318.90277, 240.1936}, {256.63416, 314.01935},
            {201.26117, 371.41043}, {313.08905, 371.15118}};

    private FaceTemplate() {
    }

    /** The template for a {@code faceSize}×{@code faceSize} crop (each coordinate times faceSize / 512.0). */
    public static double[][] forSize(int faceSize) {
        double scale = faceSize / 512.0;
        double[][] out = new double[FFHQ_512.length][];
        for (int i = 0; i < FFHQ_512.length; i++) {
            out[i] = new double[] {FFHQ_512[i][0] * scale, FFHQ_512[i][1] * scale};
        }
        return out;
    }
}

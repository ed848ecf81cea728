package io.sdfleet.diffusion.restore.align;

/**
 * A 2×3 affine map {@code x' = a·x + b·y + c, y' = d·x + e·y + f}, as OpenCV's 2×3 float64 matrices hold it
 * (row-major: a b c / d e f).
 */
public record AffineTransform(double a, double b, double c, double d, double e, double f) {

    /** Row-major {a, b, c, d, e, f}. */
    public static AffineTransform of(double[] m) {
        return new AffineTransform(m[0], m[1], m[2], m[3], m[4], m[5]);
    }

    public double[] toArray() {
        return new double[] {a, b, c, d, e, f};
    }

    /**
     * The inverse map, with the very operations of OpenCV's {@code invertAffineTransform} (also what
     * {@code warpAffine} does to its matrix internally), so that a round trip rounds as OpenCV's does.
     */
    public AffineTransform inverse() {
        double det = a * e - b * d;
        det = det != 0 ? 1. / det : 0;
        double a11 = e * det;
        double a22 = a * det;
        double a12 = -b * det;
        double a21 = -d * det;
        double b1 = -a11 * c - a12 * f;
        double b2 = -a21 * c - a22 * f;
        return new AffineTransform(a11, a12, b1, a21, a22, b2);
    }
}

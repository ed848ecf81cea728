package io.sdfleet.diffusion.restore.align;

import java.util.Arrays;

/**
 * OpenCV's {@code estimateAffinePartial2D(from, to, method=LMEDS)} with its defaults (2000 iterations, confidence
 * 0.99, 10 refinement iterations): a 4-degree-of-freedom similarity (rotation, uniform scale, translation).
 *
 * <p>The points are first rounded to float32, as OpenCV converts them. Least median of squares then fits exact
 * models to pairs of points drawn by OpenCV's RNG (seeded −1), keeps the one whose median squared error is
 * smallest, takes the points within 2.5 robust standard deviations of it as inliers, and refines on those with
 * OpenCV's Levenberg–Marquardt ({@link LevenbergMarquardt}). Errors are computed in float32 where OpenCV does.
 */
public final class PartialAffineEstimator {

    private static final int MODEL_POINTS = 2;
    private static final double CONFIDENCE = 0.99;
    private static final int MAX_ITERS = 2000;
    private static final double OUTLIER_RATIO = 0.45;
    private static final int REFINE_ITERS = 10;

    private PartialAffineEstimator() {
    }

    /**
     * The similarity taking {@code from[i]} (x, y) nearest to {@code to[i]}; null where OpenCV returns None (fewer
     * than two points, or fewer than two inliers).
     */
    public static AffineTransform estimateLmeds(double[][] from, double[][] to) {
        int count = from.length;
        if (to.length != count) {
            throw new IllegalArgumentException("from has " + count + " points, to " + to.length);
        }
        float[][] src = toFloat(from);
        float[][] dst = toFloat(to);
        if (count < MODEL_POINTS) {
            return null;
        }
        double[] best;
        boolean[] inliers;
        if (count == MODEL_POINTS) {
            best = kernel(src[0], src[1], dst[0], dst[1]);
            inliers = new boolean[] {true, true};
        } else {
            best = lmeds(src, dst);
            if (best == null) {
                return null;
            }
            double median = medianError(src, dst, best);
            double sigma = 2.5 * 1.4826 * (1 + 5. / (count - MODEL_POINTS)) * Math.sqrt(median);
            sigma = Math.max(sigma, 0.001);
            float threshold = (float) (sigma * sigma);
            float[] err = errors(src, dst, best);
            inliers = new boolean[count];
            int inlierCount = 0;
            for (int i = 0; i < count; i++) {
                inliers[i] = err[i] <= threshold;
                inlierCount += inliers[i] ? 1 : 0;
            }
            if (inlierCount < MODEL_POINTS) {
                return null;
            }
        }
        if (count > MODEL_POINTS) {
            best = refine(src, dst, inliers, best);
        }
        return AffineTransform.of(best);
    }

    /** The pair-wise model with the least median squared error over {@code niters} RNG draws. */
    private static double[] lmeds(float[][] src, float[][] dst) {
        int count = src.length;
        CvRng rng = new CvRng(-1L);
        int niters = Math.max(updateNumIters(CONFIDENCE, OUTLIER_RATIO, MODEL_POINTS, MAX_ITERS), 3);
        double minMedian = Double.MAX_VALUE;
        double[] best = null;
        for (int iter = 0; iter < niters; iter++) {
            // two distinct indices; a pair of points is never collinear, so checkSubset always accepts it
            int i0 = rng.uniform(0, count);
            int i1;
            do {
                i1 = rng.uniform(0, count);
            } while (i1 == i0);
            double[] model = kernel(src[i0], src[i1], dst[i0], dst[i1]);
            double median = medianError(src, dst, model);
            if (median < minMedian) {
                minMedian = median;
                best = model;
            }
        }
        return best;
    }

    /** OpenCV's {@code RANSACUpdateNumIters}. */
    static int updateNumIters(double p, double ep, int modelPoints, int maxIters) {
        p = Math.min(Math.max(p, 0.), 1.);
        ep = Math.min(Math.max(ep, 0.), 1.);
        double num = Math.max(1. - p, Double.MIN_NORMAL);
        double denom = 1. - Math.pow(1. - ep, modelPoints);
        if (denom < Double.MIN_NORMAL) {
            return 0;
        }
        num = Math.log(num);
        denom = Math.log(denom);
        return denom >= 0 || -num >= maxIters * (-denom) ? maxIters : (int) Math.rint(num / denom);
    }

    /**
     * The similarity through two point pairs, solved in closed form as {@code AffinePartial2DEstimatorCallback}
     * does; row-major {a, −b, tx, b, a, ty}.
     */
    static double[] kernel(float[] p1, float[] p2, float[] q1, float[] q2) {
        double x1 = p1[0];
        double y1 = p1[1];
        double x2 = p2[0];
        double y2 = p2[1];
        double bx1 = q1[0];
        double by1 = q1[1];
        double bx2 = q2[0];
        double by2 = q2[1];
        double d = 1. / ((x1 - x2) * (x1 - x2) + (y1 - y2) * (y1 - y2));
        double s0 = d * ((bx1 - bx2) * (x1 - x2) + (by1 - by2) * (y1 - y2));
        double s1 = d * ((by1 - by2) * (x1 - x2) - (bx1 - bx2) * (y1 - y2));
        double s2 = d * ((by1 - by2) * (x1 * y2 - x2 * y1) - (bx1 * y2 - bx2 * y1) * (y1 - y2)
                - (bx1 * x2 - bx2 * x1) * (x1 - x2));
        double s3 = d * (-(bx1 - bx2) * (x1 * y2 - x2 * y1) - (by1 * x2 - by2 * x1) * (x1 - x2)
                - (by1 * y2 - by2 * y1) * (y1 - y2));
        return new double[] {s0, -s1, s2, s1, s0, s3};
    }

    /** Squared reprojection errors in float32, as {@code Affine2DEstimatorCallback::computeError}. */
    static float[] errors(float[][] src, float[][] dst, double[] model) {
        float f0 = (float) model[0];
        float f1 = (float) model[1];
        float f2 = (float) model[2];
        float f3 = (float) model[3];
        float f4 = (float) model[4];
        float f5 = (float) model[5];
        float[] err = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            float a = f0 * src[i][0] + f1 * src[i][1] + f2 - dst[i][0];
            float b = f3 * src[i][0] + f4 * src[i][1] + f5 - dst[i][1];
            err[i] = a * a + b * b;
        }
        return err;
    }

    /** The element {@code nth_element} puts at count/2: the upper median. */
    private static double medianError(float[][] src, float[][] dst, double[] model) {
        float[] err = errors(src, dst, model);
        Arrays.sort(err);
        return err[err.length / 2];
    }

    /**
     * Levenberg–Marquardt on the inliers (in their original order, as {@code compressElems} packs them) over the
     * parameters (a, b, tx, ty), the residuals computed in double from the float32 points.
     */
    private static double[] refine(float[][] src, float[][] dst, boolean[] inliers, double[] model) {
        int n = 0;
        for (boolean in : inliers) {
            n += in ? 1 : 0;
        }
        double[][] p = new double[n][];
        double[][] q = new double[n][];
        for (int i = 0, j = 0; i < src.length; i++) {
            if (inliers[i]) {
                p[j] = new double[] {src[i][0], src[i][1]};
                q[j] = new double[] {dst[i][0], dst[i][1]};
                j++;
            }
        }
        LevenbergMarquardt.Problem similarity = (h, err, jac) -> {
            for (int i = 0; i < p.length; i++) {
                double mx = p[i][0];
                double my = p[i][1];
                err[2 * i] = h[0] * mx - h[1] * my + h[2] - q[i][0];
                err[2 * i + 1] = h[1] * mx + h[0] * my + h[3] - q[i][1];
                if (jac != null) {
                    jac[2 * i] = new double[] {mx, -my, 1, 0};
                    jac[2 * i + 1] = new double[] {my, mx, 0, 1};
                }
            }
        };
        double[] h = LevenbergMarquardt.run(similarity, new double[] {model[0], model[3], model[2], model[5]},
                2 * n, REFINE_ITERS);
        return new double[] {h[0], -h[1], h[2], h[1], h[0], h[3]};
    }

    private static float[][] toFloat(double[][] points) {
        float[][] out = new float[points.length][2];
        for (int i = 0; i < points.length; i++) {
            out[i][0] = (float) points[i][0];
            out[i][1] = (float) points[i][1];
        }
        return out;
    }
}

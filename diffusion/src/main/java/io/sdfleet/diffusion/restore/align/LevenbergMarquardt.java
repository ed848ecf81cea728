package io.sdfleet.diffusion.restore.align;

/**
 * OpenCV 4.6's {@code LMSolver} (calib3d levmarq.cpp): Fletcher's modified Marquardt method, the damping scaled by
 * the diagonal of JᵀJ at the start, with OpenCV's stopping rule (an iteration cap, or a step or residual below
 * FLT_EPSILON in the max norm).
 */
final class LevenbergMarquardt {

    private static final double EPS = Math.ulp(1.0f); // FLT_EPSILON
    private static final double DBL_EPSILON = Math.ulp(1.0);
    private static final double R_LO = 0.25;
    private static final double R_HI = 0.75;

    /** Residuals (and, when {@code jac} is not null, their Jacobian rows) at parameters {@code x}. */
    interface Problem {
        void compute(double[] x, double[] err, double[][] jac);
    }

    private LevenbergMarquardt() {
    }

    static double[] run(Problem problem, double[] start, int errCount, int maxIters) {
        int lx = start.length;
        double[] x = start.clone();
        double[] r = new double[errCount];
        double[][] jac = new double[errCount][];
        problem.compute(x, r, jac);
        double s = dot(r, r);
        double[][] a = jtj(jac, lx);
        double[] v = jtr(jac, r, lx);
        double[] diag = new double[lx];
        for (int i = 0; i < lx; i++) {
            diag[i] = a[i][i];
        }
        double lambda = 1;
        double lc = 0.75;
        double[] rd = new double[errCount];
        for (int iter = 0; ; ) {
            double[][] ap = copy(a);
            for (int i = 0; i < lx; i++) {
                ap[i][i] += lambda * diag[i];
            }
            double[] d = solve(ap, v);
            double[] xd = new double[lx];
            for (int i = 0; i < lx; i++) {
                xd[i] = x[i] - d[i];
            }
            problem.compute(xd, rd, null);
            double sd = dot(rd, rd);
            // temp_d = 2·v − A·d, the predicted reduction is d·temp_d
            double ds = 0;
            for (int i = 0; i < lx; i++) {
                double ad = 0;
                for (int k = 0; k < lx; k++) {
                    ad += a[i][k] * d[k];
                }
                ds += d[i] * (-ad + 2 * v[i]);
            }
            double ratio = (s - sd) / (Math.abs(ds) > DBL_EPSILON ? ds : 1);
            if (ratio > R_HI) {
                lambda *= 0.5;
                if (lambda < lc) {
                    lambda = 0;
                }
            } else if (ratio < R_LO) {
                double t = dot(d, v);
                double nu = (sd - s) / (Math.abs(t) > DBL_EPSILON ? t : 1) + 2;
                nu = Math.min(Math.max(nu, 2.), 10.);
                if (lambda == 0) {
                    double[][] inv = invert(a);
                    double maxval = DBL_EPSILON;
                    for (int i = 0; i < lx; i++) {
                        maxval = Math.max(maxval, Math.abs(inv[i][i]));
                    }
                    lambda = lc = 1. / maxval;
                    nu *= 0.5;
                }
                lambda *= nu;
            }
            if (sd < s) {
                s = sd;
                x = xd;
                problem.compute(x, r, jac);
                a = jtj(jac, lx);
                v = jtr(jac, r, lx);
            }
            iter++;
            boolean proceed = iter < maxIters && maxAbs(d) >= EPS && maxAbs(r) >= EPS;
            if (!proceed) {
                return x;
            }
        }
    }

    private static double[][] jtj(double[][] jac, int lx) {
        double[][] a = new double[lx][lx];
        for (double[] row : jac) {
            for (int i = 0; i < lx; i++) {
                for (int k = 0; k < lx; k++) {
                    a[i][k] += row[i] * row[k];
                }
            }
        }
        return a;
    }

    private static double[] jtr(double[][] jac, double[] r, int lx) {
        double[] v = new double[lx];
        for (int e = 0; e < jac.length; e++) {
            for (int i = 0; i < lx; i++) {
                v[i] += jac[e][i] * r[e];
            }
        }
        return v;
    }

    /** Solves the symmetric positive system by Gaussian elimination with partial pivoting. */
    static double[] solve(double[][] m, double[] b) {
        int n = b.length;
        double[][] aug = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, aug[i], 0, n);
            aug[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(aug[row][col]) > Math.abs(aug[pivot][col])) {
                    pivot = row;
                }
            }
            double[] tmp = aug[col];
            aug[col] = aug[pivot];
            aug[pivot] = tmp;
            if (aug[col][col] == 0) {
                return new double[n]; // singular: OpenCV's eigen solve gives the minimum-norm answer; no step
            }
            for (int row = col + 1; row < n; row++) {
                double f = aug[row][col] / aug[col][col];
                for (int k = col; k <= n; k++) {
                    aug[row][k] -= f * aug[col][k];
                }
            }
        }
        double[] out = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double acc = aug[row][n];
            for (int k = row + 1; k < n; k++) {
                acc -= aug[row][k] * out[k];
            }
            out[row] = acc / aug[row][row];
        }
        return out;
    }

    private static double[][] invert(double[][] m) {
        int n = m.length;
        double[][] inv = new double[n][n];
        for (int c = 0; c < n; c++) {
            double[] e = new double[n];
            e[c] = 1;
            double[] col = solve(m, e);
            for (int r = 0; r < n; r++) {
                inv[r][c] = col[r];
            }
        }
        return inv;
    }

    private static double[][] copy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }

    private static double dot(double[] p, double[] q) {
        double acc = 0;
        for (int i = 0; i < p.length; i++) {
            acc += p[i] * q[i];
        }
        return acc;
    }

    private static double maxAbs(double[] p) {
        double m = 0;
        for (double value : p) {
            m = Math.max(m, Math.abs(value));
        }
        return m;
    }
}

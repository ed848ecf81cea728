package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * UniPC (Zhao et al., 2023) as A1111 runs it: the multistep unified predictor–corrector in data-prediction form,
 * variant "bh1" (B(h) = h), order 3 with lower orders for the first and last steps, time-uniform steps from t = 1
 * down to t = 1/N on the continuous-time view of the discrete DDPM schedule (log ᾱ_t^½ interpolated linearly in t).
 * Starts from unscaled noise like the other timestep samplers.
 */
final class UniPc {

    public static final int DEFAULT_ORDER = 3;

    private final EpsModel eps;
    private final ContinuousSchedule ns;

    private UniPc(EpsModel eps, float[] alphasCumprod) {
        this.eps = eps;
        this.ns = new ContinuousSchedule(alphasCumprod);
    }

    public static NDArray sample(EpsModel eps, NDArray x, float[] alphasCumprod, int steps,
                                 StepCallback callback) {
        return new UniPc(eps, alphasCumprod).run(x, steps, Math.min(DEFAULT_ORDER, steps), callback);
    }

    /** x̂₀ = (x − σ_t ε) / α_t, with the UNet asked at discrete time (t − 1/N)·N. */
    private NDArray dataPrediction(NDArray x, double t) {
        NDArray noise = eps.eps(x, (float) ((t - 1.0 / ns.size()) * ns.size()));
        return x.sub(noise.mul((float) ns.std(t))).div((float) ns.alpha(t));
    }

    private NDArray run(NDArray x, int steps, int order, StepCallback callback) {
        NDManager owner = x.getManager();
        double[] ts = new double[steps + 1];
        double tT = 1.0;
        double t0 = 1.0 / ns.size();
        for (int i = 0; i <= steps; i++) {
            ts[i] = tT + (t0 - tT) * i / steps;
        }
        try (NDManager history = owner.newSubManager()) {
            NDArray current = x.duplicate();
            current.attach(history);
            List<NDArray> models = new ArrayList<>();
            List<Double> times = new ArrayList<>();
            models.add(keep(dataPrediction(current, ts[0]), history));
            times.add(ts[0]);
            for (int step = 1; step <= steps; step++) {
                int stepOrder = step < order ? step : Math.min(order, steps + 1 - step);
                boolean corrector = step != steps;
                try (NDManager scope = history.newSubManager()) {
                    NDArray[] updated = update(current, models, times, ts[step], stepOrder, corrector);
                    NDArray next = updated[0];
                    NDArray model = updated[1];
                    if (step < steps && model == null) {
                        model = dataPrediction(next, ts[step]);
                    }
                    callback.afterStep(step, steps, next, models.get(models.size() - 1));
                    next.attach(history);
                    current.close();
                    current = next;
                    if (step < steps) {
                        models.add(keep(model, history));
                        times.add(ts[step]);
                        while (models.size() > order) {
                            models.remove(0).close();
                            times.remove(0);
                        }
                    }
                }
            }
            current.attach(owner);
            return current;
        }
    }

    private static NDArray keep(NDArray a, NDManager m) {
        a.attach(m);
        return a;
    }

    /** One multistep UniPC-bh update to time t; returns {x_t, model output at x_t (null when not computed)}. */
    private NDArray[] update(NDArray x, List<NDArray> models, List<Double> times, double t, int order, boolean useCorrector) {
        NDArray model0 = models.get(models.size() - 1);
        double tPrev0 = times.get(times.size() - 1);
        double lambdaPrev0 = ns.lambda(tPrev0);
        double lambdaT = ns.lambda(t);
        double sigmaPrev0 = ns.std(tPrev0);
        double sigmaT = ns.std(t);
        double alphaT = ns.alpha(t);
        double h = lambdaT - lambdaPrev0;

        List<Double> rks = new ArrayList<>();
        List<NDArray> d1s = new ArrayList<>();
        for (int i = 1; i < order; i++) {
            double tPrevI = times.get(times.size() - 1 - i);
            NDArray modelI = models.get(models.size() - 1 - i);
            double rk = (ns.lambda(tPrevI) - lambdaPrev0) / h;
            rks.add(rk);
            d1s.add(modelI.sub(model0).div((float) rk));
        }
        rks.add(1.0);

        double hh = -h; // data prediction
        double hPhi1 = Math.expm1(hh);
        double hPhiK = hPhi1 / hh - 1;
        double factorial = 1;
        double bh = hh; // variant bh1
        double[][] r = new double[order][order];
        double[] b = new double[order];
        for (int i = 1; i <= order; i++) {
            for (int k = 0; k < order; k++) {
                r[i - 1][k] = Math.pow(rks.get(k), i - 1);
            }
            b[i - 1] = hPhiK * factorial / bh;
            factorial *= i + 1;
            hPhiK = hPhiK / hh - 1 / factorial;
        }

        NDArray xtBase = x.mul((float) (sigmaT / sigmaPrev0)).sub(model0.mul((float) (alphaT * hPhi1)));
        NDArray xt = xtBase;
        if (!d1s.isEmpty()) {
            double[] rhosP = order == 2 ? new double[] {0.5} : solve(top(r, order - 1), Arrays.copyOf(b, order - 1));
            xt = xtBase.sub(combine(rhosP, d1s).mul((float) (alphaT * bh)));
        }
        if (!useCorrector) {
            return new NDArray[] {xt, null};
        }
        double[] rhosC = order == 1 ? new double[] {0.5} : solve(r, b);
        NDArray modelT = dataPrediction(xt, t);
        NDArray correction = modelT.sub(model0).mul((float) rhosC[rhosC.length - 1]);
        if (!d1s.isEmpty()) {
            correction = correction.add(combine(Arrays.copyOf(rhosC, rhosC.length - 1), d1s));
        }
        return new NDArray[] {xtBase.sub(correction.mul((float) (alphaT * bh))), modelT};
    }

    private static NDArray combine(double[] weights, List<NDArray> terms) {
        NDArray sum = terms.get(0).mul((float) weights[0]);
        for (int k = 1; k < weights.length; k++) {
            sum = sum.add(terms.get(k).mul((float) weights[k]));
        }
        return sum;
    }

    private static double[][] top(double[][] m, int n) {
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], 0, out[i], 0, n);
        }
        return out;
    }

    /** Gaussian elimination with partial pivoting; the systems here are at most 3×3. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
                    pivot = row;
                }
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            for (int row = col + 1; row < n; row++) {
                double f = m[row][col] / m[col][col];
                for (int k = col; k <= n; k++) {
                    m[row][k] -= f * m[col][k];
                }
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = m[i][n];
            for (int k = i + 1; k < n; k++) {
                s -= m[i][k] * x[k];
            }
            x[i] = s / m[i][i];
        }
        return x;
    }

    /** DPM-Solver's NoiseScheduleVP('discrete'): log α_t piecewise linear in t over t_i = (i + 1)/N. */
    static final class ContinuousSchedule {
        private final double[] logAlpha;

        ContinuousSchedule(float[] alphasCumprod) {
            logAlpha = new double[alphasCumprod.length];
            for (int i = 0; i < logAlpha.length; i++) {
                logAlpha[i] = 0.5 * Math.log(alphasCumprod[i]);
            }
        }

        int size() {
            return logAlpha.length;
        }

        double logMeanCoeff(double t) {
            int n = logAlpha.length;
            double position = t * n - 1; // t_i = (i + 1) / N
            int low = (int) Math.floor(position);
            low = Math.max(0, Math.min(n - 2, low)); // linear extrapolation beyond the ends, as interpolate_fn
            double w = position - low;
            return logAlpha[low] + w * (logAlpha[low + 1] - logAlpha[low]);
        }

        double alpha(double t) {
            return Math.exp(logMeanCoeff(t));
        }

        double std(double t) {
            return Math.sqrt(1 - Math.exp(2 * logMeanCoeff(t)));
        }

        double lambda(double t) {
            double lmc = logMeanCoeff(t);
            return lmc - 0.5 * Math.log(1 - Math.exp(2 * lmc));
        }
    }
}

package io.sdfleet.diffusion.sampling;

/**
 * Coefficients of the linear multistep (LMS) sampler: coefficient j of step i is the integral over [σ_i, σ_{i+1}]
 * of the Lagrange basis polynomial through σ_i, σ_{i−1}, … that is 1 at σ_{i−j}. k-diffusion integrates it with
 * scipy's quad; the integrand is a polynomial of degree &lt; 4, so 4-point Gauss–Legendre is exact.
 */
final class LinearMultistep {

    private static final double[] NODES = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526};
    private static final double[] WEIGHTS = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538};

    private LinearMultistep() {
    }

    static double coefficient(int order, float[] t, int i, int j) {
        double a = t[i];
        double b = t[i + 1];
        double half = (b - a) / 2;
        double mid = (a + b) / 2;
        double sum = 0;
        for (int q = 0; q < NODES.length; q++) {
            double tau = mid + half * NODES[q];
            double product = 1;
            for (int k = 0; k < order; k++) {
                if (k != j) {
                    product *= (tau - t[i - k]) / (t[i - j] - t[i - k]);
                }
            }
            sum += WEIGHTS[q] * product;
        }
        return sum * half;
    }
}

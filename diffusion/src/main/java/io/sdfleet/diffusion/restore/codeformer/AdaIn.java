package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.ndarray.NDArray;

/**
 * basicsr's {@code adaptive_instance_normalization}: the content features, normalised per sample and channel,
 * take the style features' mean and standard deviation. Standard deviations are √(unbiased variance + 1e-5) over
 * the pixels ({@code calc_mean_std}), as torch's {@code var} divides by n − 1.
 */
final class AdaIn {

    static final float EPS = 1e-5f;

    private AdaIn() {
    }

    /** content and style [N, C, H, W] → [N, C, H, W] in content's manager (callers scope it). */
    static NDArray apply(NDArray content, NDArray style) {
        NDArray[] c = meanStd(content);
        NDArray[] s = meanStd(style);
        return content.sub(c[0]).div(c[1]).mul(s[1]).add(s[0]);
    }

    /** Per-(sample, channel) mean and std as [N, C, 1, 1]. */
    static NDArray[] meanStd(NDArray feat) {
        long n = feat.getShape().get(0);
        long channels = feat.getShape().get(1);
        NDArray flat = feat.reshape(n, channels, -1);
        long count = flat.getShape().get(2);
        NDArray mean = flat.mean(new int[] {2}, true);
        NDArray centred = flat.sub(mean);
        NDArray variance = centred.mul(centred).sum(new int[] {2}, true).div((float) (count - 1));
        NDArray std = variance.add(EPS).sqrt();
        return new NDArray[] {mean.reshape(n, channels, 1, 1), std.reshape(n, channels, 1, 1)};
    }
}

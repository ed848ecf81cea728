package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/**
 * Group norm on [N, C, H, W]: each of {@code groups} channel groups is normalised over its channels and pixels,
 * then scaled and shifted per channel.
 *
 * <p>DJL has no group norm, so the tensor is viewed as [N, groups, C/groups·H·W] and layer-normalised over the
 * last axis (one fused kernel) with unit scale and zero shift; the per-channel affine follows. The unit/zero
 * vectors depend on the image size, so they are made per call in the caller's (scoped) manager.
 */
public final class GroupNorm {

    /** LDM's {@code normalization()} in the UNet ResBlocks: GroupNorm32(32, C), torch's default eps. */
    public static final float UNET_EPS = 1e-5f;
    /** LDM's {@code Normalize()} in the VAE and in SpatialTransformer: GroupNorm(32, C, eps=1e-6). */
    public static final float LDM_NORMALIZE_EPS = 1e-6f;
    public static final int SD_GROUPS = 32;

    private final int groups;
    private final float eps;
    private final Parameter gamma; // [1, C, 1, 1]
    private final Parameter beta;  // [1, C, 1, 1]

    public GroupNorm(int groups, float eps, NDArray gamma, NDArray beta) {
        this(groups, eps, Parameter.fixed(gamma), Parameter.fixed(beta));
    }

    public GroupNorm(int groups, float eps, Parameter gamma, Parameter beta) {
        long channels = gamma.shape().get(0);
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot form " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        gamma.reshape(new Shape(1, channels, 1, 1));
        beta.reshape(new Shape(1, channels, 1, 1));
        this.gamma = gamma;
        this.beta = beta;
    }

    public static GroupNorm load(Weights w, int groups, float eps) {
        return new GroupNorm(groups, eps, w.parameter("weight"), w.parameter("bias"));
    }

    /** Normalises x by its own statistics. */
    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        long length = grouped.getShape().get(2);
        NDManager m = x.getManager();
        NDArray ones = m.ones(new Shape(length), x.getDataType());
        NDArray zeros = m.zeros(new Shape(length), x.getDataType());
        NDArray normed = LayerNorm.layerNorm(grouped, new Shape(length), ones, zeros, eps)
                .singletonOrThrow();
        NDArray unflat = normed.reshape(shape);
        NDArray scaled = unflat.mul(gamma.get());
        NDArray out = scaled.addi(beta.get());
        grouped.close();
        ones.close();
        zeros.close();
        normed.close();
        unflat.close();
        return out;
    }

    /**
     * Same, with the statistics recorded into or replayed from {@code frozen}; null: x's own, as
     * {@link #forward(NDArray)}.
     */
    public NDArray forward(NDArray x, NormStatistics frozen) {
        return frozen == null ? forward(x) : frozen.normalize(this, x);
    }

    /** Per-(sample, group) mean and biased variance of x as fp32 [N, groups, 1]; new arrays in x's manager. */
    NDArray[] statistics(NDArray x) {
        try (NDArray grouped = x.reshape(x.getShape().get(0), groups, -1);
             NDArray wide = grouped.toType(DataType.FLOAT32, false)) {
            NDArray mean = wide.mean(new int[] {2}, true);
            try (NDArray centred = wide.sub(mean)) {
                NDArray variance = centred.muli(centred).mean(new int[] {2}, true);
                return new NDArray[] {mean, variance};
            }
        }
    }

    /**
     * (x − mean) / √(variance + eps), then the affine, with given [N, groups, 1] fp32 statistics (see
     * {@link #statistics}); the result is in x's manager. Every array derived from the statistics is closed here,
     * since it would otherwise accumulate in their long-lived manager.
     */
    NDArray normalizeWith(NDArray x, NDArray mean, NDArray variance) {
        Shape shape = x.getShape();
        try (NDArray grouped = x.reshape(shape.get(0), groups, -1);
             NDArray wide = grouped.toType(DataType.FLOAT32, false);
             NDArray shifted = variance.add(eps);
             NDArray std = shifted.sqrt();
             NDArray normed = wide.sub(mean);
             NDArray typed = normed.divi(std).toType(x.getDataType(), false);
             NDArray unflat = typed.reshape(shape)) {
            return unflat.mul(gamma.get()).addi(beta.get());
        }
    }
}

package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.Weights;

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
    private final NDArray gamma; // [1, C, 1, 1]
    private final NDArray beta;  // [1, C, 1, 1]

    public GroupNorm(int groups, float eps, NDArray gamma, NDArray beta) {
        long channels = gamma.getShape().get(0);
        if (channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels cannot form " + groups + " groups");
        }
        this.groups = groups;
        this.eps = eps;
        this.gamma = gamma.reshape(1, channels, 1, 1);
        this.beta = beta.reshape(1, channels, 1, 1);
    }

    public static GroupNorm load(Weights w, int groups, float eps) {
        return new GroupNorm(groups, eps, w.take("weight"), w.take("bias"));
    }

    public NDArray forward(NDArray x) {
        Shape shape = x.getShape();
        NDArray grouped = x.reshape(shape.get(0), groups, -1);
        long length = grouped.getShape().get(2);
        NDManager m = x.getManager();
        NDArray ones = m.ones(new Shape(length), x.getDataType());
        NDArray zeros = m.zeros(new Shape(length), x.getDataType());
        NDArray normed = ai.djl.nn.norm.LayerNorm.layerNorm(grouped, new Shape(length), ones, zeros, eps)
                .singletonOrThrow();
        NDArray unflat = normed.reshape(shape);
        NDArray scaled = unflat.mul(gamma);
        NDArray out = scaled.addi(beta);
        grouped.close();
        ones.close();
        zeros.close();
        normed.close();
        unflat.close();
        return out;
    }
}

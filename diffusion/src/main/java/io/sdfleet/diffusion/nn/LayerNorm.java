package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.Weights;

/** Layer norm over the last axis with learned scale and shift. */
public final class LayerNorm {

    /** torch.nn.LayerNorm's default, used by CLIP and the UNet's transformer blocks. */
    public static final float DEFAULT_EPS = 1e-5f;

    private final NDArray gamma;
    private final NDArray beta;
    private final float eps;

    public LayerNorm(NDArray gamma, NDArray beta, float eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    public static LayerNorm load(Weights w, float eps) {
        return new LayerNorm(w.take("weight"), w.take("bias"), eps);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(gamma.getShape().get(0)), gamma, beta, eps)
                .singletonOrThrow();
    }
}

package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** Layer norm over the last axis with learned scale and shift. */
public final class LayerNorm {

    /** torch.nn.LayerNorm's default, used by CLIP and the UNet's transformer blocks. */
    public static final float DEFAULT_EPS = 1e-5f;

    private final Parameter gamma;
    private final Parameter beta;
    private final float eps;

    public LayerNorm(NDArray gamma, NDArray beta, float eps) {
        this(Parameter.fixed(gamma), Parameter.fixed(beta), eps);
    }

    public LayerNorm(Parameter gamma, Parameter beta, float eps) {
        this.gamma = gamma;
        this.beta = beta;
        this.eps = eps;
    }

    public static LayerNorm load(Weights w, float eps) {
        return new LayerNorm(w.parameter("weight"), w.parameter("bias"), eps);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, new Shape(gamma.shape().get(0)), gamma.get(), beta.get(), eps)
                .singletonOrThrow();
    }
}

package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.checkpoint.Weights;

/** y = x Wᵀ + b over the last axis; {@code weight [out, in]}, optional {@code bias [out]}. */
public final class Linear {

    private final NDArray weight;
    private final NDArray bias;

    public Linear(NDArray weight, NDArray bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public static Linear load(Weights w) {
        NDArray weight = w.take("weight");
        NDArray bias = w.has("bias") ? w.take("bias") : null;
        return new Linear(weight, bias);
    }

    /**
     * Reads a projection stored either as a Linear {@code [out, in]} or as a 1×1 conv {@code [out, in, 1, 1]}
     * (the two layouts of the same VAE attention weights in older and newer files).
     */
    public static Linear loadFlattening(Weights w) {
        NDArray weight = w.take("weight");
        if (weight.getShape().dimension() == 4) {
            weight = weight.reshape(weight.getShape().get(0), weight.getShape().get(1));
        }
        NDArray bias = w.has("bias") ? w.take("bias") : null;
        return new Linear(weight, bias);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }
}

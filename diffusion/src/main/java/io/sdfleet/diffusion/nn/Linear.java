package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** y = x Wᵀ + b over the last axis; {@code weight [out, in]}, optional {@code bias [out]}. */
public final class Linear {

    private final Parameter weight;
    private final Parameter bias;

    public Linear(NDArray weight, NDArray bias) {
        this(Parameter.fixed(weight), Parameter.fixed(bias));
    }

    public Linear(Parameter weight, Parameter bias) {
        this.weight = weight;
        this.bias = bias;
    }

    public static Linear load(Weights w) {
        Parameter weight = w.parameter("weight");
        Parameter bias = w.has("bias") ? w.parameter("bias") : null;
        return new Linear(weight, bias);
    }

    /**
     * Reads a projection stored either as a Linear {@code [out, in]} or as a 1×1 conv {@code [out, in, 1, 1]}
     * (the two layouts of the same VAE attention weights in older and newer files).
     */
    public static Linear loadFlattening(Weights w) {
        Parameter weight = w.parameter("weight");
        if (weight.shape().dimension() == 4) {
            weight.reshape(new Shape(weight.shape().get(0), weight.shape().get(1)));
        }
        Parameter bias = w.has("bias") ? w.parameter("bias") : null;
        return new Linear(weight, bias);
    }

    public NDArray forward(NDArray x) {
        return ai.djl.nn.core.Linear.linear(x, weight.get(), bias == null ? null : bias.get()).singletonOrThrow();
    }

    public long outFeatures() {
        return weight.shape().get(0);
    }
}

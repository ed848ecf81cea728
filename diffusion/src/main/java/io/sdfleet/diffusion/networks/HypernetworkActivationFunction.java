package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.nn.Activations;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The activation an A1111 hypernetwork names in {@code activation_func}: A1111's own short names ("swish" is
 * torch's Hardswish there) and the lower-cased names of torch.nn activations, with torch's default parameters.
 */
final class HypernetworkActivationFunction {

    private HypernetworkActivationFunction() {
    }

    /** The function, or null for "linear" / None (no activation). */
    static UnaryOperator<NDArray> named(String name) {
        if (name == null) {
            return null;
        }
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "linear", "identity" -> null;
            case "relu" -> Activation::relu;
            case "leakyrelu" -> x -> Activation.leakyRelu(x, 0.01f);
            case "elu" -> x -> Activation.elu(x, 1f);
            case "swish", "hardswish" -> HypernetworkActivationFunction::hardswish;
            case "tanh" -> Activation::tanh;
            case "sigmoid" -> Activation::sigmoid;
            case "gelu" -> Activations::gelu;
            case "silu" -> Activations::silu;
            case "mish" -> Activation::mish;
            case "softplus" -> Activation::softPlus;
            default -> throw new IllegalArgumentException("hypernetwork uses the activation '" + name
                    + "', which this engine does not implement");
        };
    }

    /** x · relu6(x + 3) / 6. */
    private static NDArray hardswish(NDArray x) {
        try (NDArray shifted = x.add(3f); NDArray clipped = shifted.clip(0f, 6f); NDArray gate = clipped.div(6f)) {
            return x.mul(gate);
        }
    }
}

package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Scope;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One MLP of an A1111 hypernetwork (for keys or for values, at one width): {@code x + mlp(x) · multiplier}. The
 * MLP is its linears in order, each followed by the activation (not after the last unless {@code activate_output})
 * and by a layer norm when the file has one; dropout does nothing at inference.
 */
final class HypernetworkModule {

    /** A linear or a layer norm, with whether the activation follows it. */
    record Layer(Linear linear, LayerNorm norm, boolean activated) {
    }

    private final List<Layer> layers;
    private final UnaryOperator<NDArray> activation;

    HypernetworkModule(List<Layer> layers, UnaryOperator<NDArray> activation) {
        this.layers = List.copyOf(layers);
        this.activation = activation;
    }

    NDArray forward(NDArray x, float multiplier) {
        return Scope.run(() -> {
            NDArray h = x;
            for (Layer layer : layers) {
                h = layer.linear() != null ? layer.linear().forward(h) : layer.norm().forward(h);
                if (layer.activated() && activation != null) {
                    h = activation.apply(h);
                }
            }
            return x.add(h.mul(multiplier));
        }, x);
    }
}

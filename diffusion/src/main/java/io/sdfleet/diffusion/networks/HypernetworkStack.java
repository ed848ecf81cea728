package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.unet.ContextTransform;

import java.util.List;

/**
 * A1111's {@code apply_hypernetworks}: the context of every UNet attention layer (x itself in self-attention) goes
 * through each active hypernetwork's keys MLP on the way to {@code to_k} and its values MLP on the way to
 * {@code to_v}, one hypernetwork after the other, each at its own strength. Widths no hypernetwork covers pass
 * unchanged.
 */
final class HypernetworkStack implements ContextTransform {

    record Active(Hypernetwork hypernetwork, float multiplier) {
    }

    private final List<Active> active;

    HypernetworkStack(List<Active> active) {
        this.active = List.copyOf(active);
    }

    @Override
    public Sources apply(NDArray context) {
        long width = context.getShape().get(context.getShape().dimension() - 1);
        NDArray keys = context;
        NDArray values = context;
        for (Active a : active) {
            Hypernetwork.KeyValue layers = a.hypernetwork().byWidth().get(width);
            if (layers != null) {
                keys = replace(keys, layers.keys().forward(keys, a.multiplier()), context);
                values = replace(values, layers.values().forward(values, a.multiplier()), context);
            }
        }
        return keys == context ? null : new Sources(keys, values);
    }

    /** The next value of a chain, freeing the previous one unless it is the caller's context. */
    private static NDArray replace(NDArray previous, NDArray next, NDArray context) {
        if (previous != context) {
            previous.close();
        }
        return next;
    }
}

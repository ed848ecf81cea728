package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** GEGLU (Shazeer 2020): project to 2·inner, split into value and gate halves, value · gelu(gate). */
public final class Geglu {

    private final Linear proj;

    public Geglu(Linear proj) {
        this.proj = proj;
    }

    /** Reads {@code proj.weight [2·inner, dim]} and {@code proj.bias} under {@code w}. */
    public static Geglu load(Weights w) {
        return new Geglu(Linear.load(w.at("proj")));
    }

    public NDArray forward(NDArray x) {
        try (NDArray projected = proj.forward(x); NDList halves = projected.split(2, projected.getShape().dimension() - 1);
             NDArray gate = Activations.gelu(halves.get(1))) {
            return halves.get(0).mul(gate);
        }
    }
}

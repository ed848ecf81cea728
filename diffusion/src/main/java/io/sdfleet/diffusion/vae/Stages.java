package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Scope;

import java.util.List;

/** A straight chain of blocks, each run in its own scope; intermediates are freed as soon as they are consumed. */
final class Stages {

    private Stages() {
    }

    /** Applies {@code stages} in order; the result lives in x's manager and x is left open. */
    static NDArray run(List<Stage> stages, NDArray x, StageSettings settings) {
        NDArray current = x;
        for (Stage stage : stages) {
            NDArray in = current;
            current = Scope.run(x.getManager(), () -> stage.apply(in, settings), in);
            if (in != x) {
                in.close();
            }
        }
        return current;
    }
}

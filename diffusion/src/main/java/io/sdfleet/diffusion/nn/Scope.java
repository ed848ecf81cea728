package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.util.function.Supplier;

/**
 * Runs one block of a network in its own sub-manager so that only the block's output survives it.
 *
 * <p>DJL puts an op's output in its first input's manager. The inputs are therefore attached to the sub-manager
 * for the duration of the block ({@link NDArray#tempAttach}) and handed back when it closes; every intermediate
 * derived from them dies with the sub-manager, and the result is attached to the first input's manager.
 */
public final class Scope {

    private Scope() {
    }

    /** @param inputs the arrays the body reads (the first decides where the result goes); nulls are ignored */
    public static NDArray run(Supplier<NDArray> body, NDArray... inputs) {
        return run(inputs[0].getManager(), body, inputs);
    }

    /**
     * Same, with the result attached to {@code target} (a long-lived input's manager would otherwise collect the
     * outputs of every call). Scopes nest: an input borrowed by an enclosing scope goes back to it.
     */
    public static NDArray run(NDManager target, Supplier<NDArray> body, NDArray... inputs) {
        NDManager parent = target;
        try (NDManager sub = parent.newSubManager()) {
            for (NDArray input : inputs) {
                if (input != null) {
                    input.tempAttach(sub);
                }
            }
            NDArray result = body.get();
            result.attach(parent);
            return result;
        }
    }
}

package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.StoredTensor;

/** Stored tensors (e.g. from a noise file) as fp32 NDArrays of a required shape. */
final class Tensors {

    private Tensors() {
    }

    static NDArray create(NDManager manager, StoredTensor stored, Shape shape) {
        return manager.create(stored.toFloats(), shape);
    }
}

package io.sdfleet.diffusion.checkpoint;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view of a storage starting at
 * {@code storageOffset} elements, with a shape and strides in elements. Only row-major contiguous views can be
 * handed out without copying, so {@link #isContiguous()} decides whether the bytes can be sliced.
 */
record TorchTensorRef(TorchStorage storage, long storageOffset, long[] shape, long[] stride) {

    long elementCount() {
        return StoredTensor.elementCount(shape);
    }

    /** Row-major contiguous, ignoring strides of dimensions of size 1 (torch is free to write anything there). */
    boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    String describe() {
        return storage.type() + " " + Arrays.toString(shape) + " stride " + Arrays.toString(stride)
                + " offset " + storageOffset + " in storage " + storage.key();
    }
}

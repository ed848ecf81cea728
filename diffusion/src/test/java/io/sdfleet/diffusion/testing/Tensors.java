package io.sdfleet.diffusion.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.nn.Weights;

import static org.assertj.core.api.Assertions.assertThat;

/** Small helpers for comparing NDArrays with reference tensors. */
public final class Tensors {

    private Tensors() {
    }

    /** A stored reference tensor as an fp32 (or int64) NDArray in {@code manager}. */
    public static NDArray load(StoredTensor stored, NDManager manager) {
        return Weights.toNDArray(stored, manager, DataType.FLOAT32);
    }

    /** max |actual − expected| after checking the shapes agree. */
    public static double maxAbs(NDArray actual, StoredTensor expected) {
        assertThat(actual.getShape()).isEqualTo(new Shape(expected.shape()));
        return maxAbs(actual.toType(DataType.FLOAT32, true).toFloatArray(), expected.toFloats());
    }

    public static double maxAbs(NDArray actual, NDArray expected) {
        assertThat(actual.getShape()).isEqualTo(expected.getShape());
        return maxAbs(actual.toType(DataType.FLOAT32, true).toFloatArray(),
                expected.toType(DataType.FLOAT32, true).toFloatArray());
    }

    public static double maxAbs(float[] a, float[] b) {
        assertThat(a.length).isEqualTo(b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }
}

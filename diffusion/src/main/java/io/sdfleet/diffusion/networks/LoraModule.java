package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.nn.Weights;

import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * One kohya LoRA module: {@code lora_down [r, in(, kh, kw)]}, {@code lora_up [out, r(, 1, 1)]} and the optional
 * {@code alpha}. Its weight update is {@code (up · down) · alpha/r · multiplier}, reshaped to the target weight
 * (A1111's {@code network_lora.calc_updown} and {@code finalize_updown}); without alpha the scale is 1.
 */
public record LoraModule(String name, StoredTensor down, StoredTensor up, OptionalDouble alpha) {

    public long rank() {
        return down.shape()[0];
    }

    /** alpha / rank, or 1 when the file stores no alpha. */
    public double scale() {
        return alpha.isPresent() ? alpha.getAsDouble() / rank() : 1.0;
    }

    /** The update for a weight of {@code target} shape, fp32, in {@code manager}. */
    public NDArray delta(NDManager manager, Shape target, double multiplier) {
        long rank = rank();
        long out = up.shape()[0];
        if (up.shape().length < 2 || up.shape()[1] != rank || out != target.get(0)
                || StoredTensor.elementCount(up.shape()) != out * rank) {
            throw new IllegalArgumentException("LoRA module " + name + ": up " + Arrays.toString(up.shape())
                    + " and down " + Arrays.toString(down.shape()) + " do not make a weight of shape " + target);
        }
        long inner = StoredTensor.elementCount(down.shape()) / rank;
        if (out * inner != target.size()) {
            throw new IllegalArgumentException("LoRA module " + name + ": down " + Arrays.toString(down.shape())
                    + " does not fit a weight of shape " + target);
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray downMatrix = Weights.toNDArray(down, scope, DataType.FLOAT32).reshape(rank, inner);
            NDArray upMatrix = Weights.toNDArray(up, scope, DataType.FLOAT32).reshape(out, rank);
            // Same order of float32 roundings as A1111: product, times alpha/r, times the multiplier.
            NDArray delta = upMatrix.matMul(downMatrix).reshape(target).mul((float) scale()).mul((float) multiplier);
            delta.attach(manager);
            return delta;
        }
    }
}

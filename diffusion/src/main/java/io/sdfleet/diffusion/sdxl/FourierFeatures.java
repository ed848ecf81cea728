package io.sdfleet.diffusion.sdxl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * sgm's {@code ConcatTimestepEmbedderND} (256 wide): each number n becomes [cos(n·f_0..127), sin(n·f_0..127)] with
 * f_k = exp(−ln(10000)·k/128), and the numbers' features are concatenated in order. Everything is fp32 as in sgm:
 * at n = 1024 an fp64 product would move the result by 3e-5.
 */
public final class FourierFeatures {

    public static final int WIDTH = 256;
    private static final int HALF = WIDTH / 2;
    private static final double MAX_PERIOD = 10000;

    private FourierFeatures() {
    }

    /** [1, 256·numbers.length] fp32 in {@code manager}. */
    public static NDArray of(NDManager manager, float... numbers) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray frequencies = scope.arange(0f, HALF, 1f, DataType.FLOAT32)
                    .mul(-Math.log(MAX_PERIOD)).div(HALF).exp();
            NDArray args = scope.create(numbers).reshape(-1, 1).mul(frequencies.reshape(1, -1)); // [N, 128]
            NDArray features = args.cos().concat(args.sin(), 1).reshape(1, -1);
            features.attach(manager);
            return features;
        }
    }
}

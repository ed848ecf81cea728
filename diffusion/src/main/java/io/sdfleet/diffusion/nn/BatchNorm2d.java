package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.norm.BatchNorm;

/**
 * Batch norm on [N, C, H, W] in eval mode, as every inference-only network uses it: the stored running statistics
 * normalise each channel, {@code (x − mean) / sqrt(var + eps) · weight + bias}. The statistics never change, so
 * torch's own kernel runs with training off (no momentum update). {@code num_batches_tracked} is skipped.
 */
public final class BatchNorm2d {

    /** torch's default. */
    public static final float EPS = 1e-5f;

    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;

    public BatchNorm2d(Parameter weight, Parameter bias, Parameter runningMean, Parameter runningVar) {
        this.weight = weight;
        this.bias = bias;
        this.runningMean = runningMean;
        this.runningVar = runningVar;
    }

    /** Reads {@code weight}, {@code bias}, {@code running_mean} and {@code running_var} under {@code w}. */
    public static BatchNorm2d load(Weights w) {
        w.skip("num_batches_tracked");
        return new BatchNorm2d(w.parameter("weight"), w.parameter("bias"), w.parameter("running_mean"),
                w.parameter("running_var"));
    }

    public NDArray forward(NDArray x) {
        return BatchNorm.batchNorm(x, runningMean.get(), runningVar.get(), weight.get(), bias.get(), 1, 0.1f, EPS,
                false).singletonOrThrow();
    }
}

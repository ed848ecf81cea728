package io.sdfleet.diffusion.restore.parse;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;

/** torch's BatchNorm2d in eval mode: the running statistics, affine, eps 1e-5 ({@code num_batches_tracked} unused). */
final class BatchNorm2d {

    private static final float EPS = 1e-5f;

    private final NDArray weight;
    private final NDArray bias;
    private final NDArray mean;
    private final NDArray var;

    BatchNorm2d(Weights w) {
        weight = w.take("weight");
        bias = w.take("bias");
        mean = w.take("running_mean");
        var = w.take("running_var");
        w.skip("num_batches_tracked");
    }

    NDArray forward(NDArray x) {
        return ai.djl.nn.norm.BatchNorm.batchNorm(x, mean, var, weight, bias, 1, 0.1f, EPS, false).singletonOrThrow();
    }
}

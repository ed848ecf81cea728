package io.sdfleet.diffusion.noise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;

/**
 * A1111's CPU generator: a torch CPU generator seeded per image. libtorch's CPU generator is process-wide, so
 * draw k is produced by replaying the k earlier draws; that replay is only right if every draw has one shape.
 */
final class TorchCpuStream implements NoiseStream {

    private final long seed;
    private Shape drawShape;
    private int draws;

    public TorchCpuStream(long seed) {
        this.seed = seed;
    }

    @Override
    public NDArray next(NDManager manager, Shape shape) {
        requireSameShape(shape);
        return TorchCpuRandom.randn(manager, seed, shape, draws++);
    }

    @Override
    public void skip(Shape shape) {
        requireSameShape(shape);
        draws++;
    }

    private void requireSameShape(Shape shape) {
        if (drawShape == null) {
            drawShape = shape;
        } else if (!drawShape.equals(shape)) {
            throw new IllegalStateException("CPU noise stream drew " + drawShape + " before and cannot replay it as " + shape);
        }
    }
}

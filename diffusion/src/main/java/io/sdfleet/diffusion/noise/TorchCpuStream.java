package io.sdfleet.diffusion.noise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;

import java.util.ArrayList;
import java.util.List;

/**
 * A1111's CPU generator: a torch CPU generator seeded per image. libtorch's CPU generator is process-wide, so
 * draw k is produced by replaying the k earlier draws, whose shapes the stream remembers (they may differ: GFPGAN
 * draws one noise map per layer, each at its layer's resolution).
 */
final class TorchCpuStream implements NoiseStream {

    private final long seed;
    private final List<Shape> drawn = new ArrayList<>();

    public TorchCpuStream(long seed) {
        this.seed = seed;
    }

    @Override
    public NDArray next(NDManager manager, Shape shape) {
        NDArray noise = TorchCpuRandom.randn(manager, seed, drawn, shape);
        drawn.add(shape);
        return noise;
    }

    @Override
    public void skip(Shape shape) {
        drawn.add(shape);
    }
}

package io.sdfleet.diffusion.noise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** A1111's NV generator (rng_philox.Generator): the offset advances by one per draw, whatever its size. */
final class PhiloxStream implements NoiseStream {

    private final long seed;
    private long offset;

    public PhiloxStream(long seed) {
        this.seed = seed;
    }

    /** The next draw as plain floats, row-major for {@code shape}. */
    public float[] nextFloats(Shape shape) {
        return PhiloxNormal.draw(seed, offset++, Math.toIntExact(shape.size()));
    }

    @Override
    public NDArray next(NDManager manager, Shape shape) {
        return manager.create(nextFloats(shape), shape);
    }

    @Override
    public void skip(Shape shape) {
        offset++;
    }
}

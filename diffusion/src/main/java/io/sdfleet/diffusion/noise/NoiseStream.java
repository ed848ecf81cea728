package io.sdfleet.diffusion.noise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One seeded generator, as A1111 keeps one per image: every call returns its next draw of standard normals.
 * Not thread-safe; each image owns its stream.
 */
public interface NoiseStream {

    /** The next draw, shaped {@code shape}, placed in {@code manager}. */
    NDArray next(NDManager manager, Shape shape);

    /** Advances past one draw of {@code shape} without producing it. */
    void skip(Shape shape);
}

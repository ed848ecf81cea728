package io.sdfleet.diffusion.noise;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.request.RngSource;

/**
 * One seeded generator, as A1111 keeps one per image: every call returns its next draw of standard normals.
 * Not thread-safe; each image owns its stream.
 */
public interface NoiseStream {

    /** A fresh generator of {@code source} seeded with {@code seed}. */
    static NoiseStream of(RngSource source, long seed) {
        return source == RngSource.NV ? new PhiloxStream(seed) : new TorchCpuStream(seed);
    }

    /** The next draw, shaped {@code shape}, placed in {@code manager}. */
    NDArray next(NDManager manager, Shape shape);

    /** Advances past one draw of {@code shape} without producing it. */
    void skip(Shape shape);
}

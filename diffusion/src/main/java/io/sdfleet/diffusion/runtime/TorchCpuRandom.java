package io.sdfleet.diffusion.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

import java.util.Collections;
import java.util.List;

/**
 * Gaussian noise equal to {@code torch.manual_seed(seed); torch.randn(shape)} on CPU: A1111's "CPU" RNG source.
 *
 * <p>libtorch has one process-wide CPU generator, and DJL exposes only "reseed it". Every draw therefore goes
 * through this class under one lock, so a seed gives the same noise whatever else the JVM runs at that time.
 */
public final class TorchCpuRandom {

    private static final Object GENERATOR_LOCK = new Object();

    private TorchCpuRandom() {
    }

    /** Noise for {@code seed} (any 64-bit value, as torch.manual_seed takes), drawn on CPU, placed in {@code manager}. */
    public static NDArray randn(NDManager manager, long seed, Shape shape) {
        return randn(manager, seed, shape, 0);
    }

    /**
     * Draw number {@code index} (0-based) of a generator seeded with {@code seed}, each draw of {@code shape}: what
     * the (index+1)-th {@code torch.randn(shape, generator=g)} returns. Earlier draws are replayed and discarded,
     * because the generator is shared by the process and cannot be kept per image.
     */
    public static NDArray randn(NDManager manager, long seed, Shape shape, int index) {
        return randn(manager, seed, Collections.nCopies(index, shape), shape);
    }

    /**
     * The draw of {@code shape} that follows draws of {@code earlier} shapes (replayed and discarded) from a
     * generator seeded with {@code seed}: {@code torch.manual_seed(seed)}, then one {@code torch.randn} per shape.
     */
    public static NDArray randn(NDManager manager, long seed, List<Shape> earlier, Shape shape) {
        Torch.engine();
        synchronized (GENERATOR_LOCK) {
            // JniUtils.setSeed takes the full 64-bit seed; Engine.setRandomSeed would truncate it to an int.
            JniUtils.setSeed(seed);
            try (NDManager cpu = Torch.newManager(Device.cpu())) {
                for (Shape skipped : earlier) {
                    cpu.randomNormal(skipped).close();
                }
                NDArray noise = cpu.randomNormal(shape);
                NDArray placed = noise.toDevice(manager.getDevice(), false);
                placed.attach(manager);
                return placed;
            }
        }
    }
}

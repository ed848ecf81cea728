package io.sdfleet.diffusion.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

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
        Torch.engine();
        synchronized (GENERATOR_LOCK) {
            // JniUtils.setSeed takes the full 64-bit seed; Engine.setRandomSeed would truncate it to an int.
            JniUtils.setSeed(seed);
            try (NDManager cpu = Torch.newManager(Device.cpu())) {
                NDArray noise = cpu.randomNormal(shape);
                NDArray placed = noise.toDevice(manager.getDevice(), false);
                placed.attach(manager);
                return placed;
            }
        }
    }
}

package io.sdfleet.diffusion.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * One learned tensor of a layer, able to live on another device than where it was loaded: its home copy stays
 * where the weights were loaded (the CPU when offloading), and {@link #placeOn} makes a working copy on the compute
 * device, which {@link #offload} frees again (the home copy is unchanged, so nothing is copied back).
 *
 * <p>An offloaded parameter refuses {@link #get()}: a layer running while its weights are away is a placement bug
 * that on a GPU would surface as a device mismatch, and on the CPU would go unnoticed. Parameters start resident,
 * so a model that never offloads behaves as plain arrays would.
 */
public final class Parameter {

    private final String name;
    private NDArray home;
    private volatile NDArray working;
    private volatile boolean resident = true;

    public Parameter(String name, NDArray home) {
        this.name = name;
        this.home = home;
        this.working = home;
    }

    /** A parameter that never moves, for layers built from arrays (tests, synthetic layers); null stays null. */
    public static Parameter fixed(NDArray array) {
        return array == null ? null : new Parameter(array.getName() == null ? "unnamed" : array.getName(), array);
    }

    /** The array to compute with; throws while offloaded. */
    public NDArray get() {
        if (!resident) {
            throw new IllegalStateException(name + " is offloaded: its layer ran without being placed first");
        }
        return working;
    }

    /** The stored shape, available wherever the parameter lives. */
    public Shape shape() {
        return home.getShape();
    }

    public String name() {
        return name;
    }

    public boolean resident() {
        return resident;
    }

    /** A view of the home copy in another shape, fixed at load time (e.g. a per-channel vector as [1, C, 1, 1]). */
    public void reshape(Shape shape) {
        if (working != home || !resident) {
            throw new IllegalStateException(name + " can only be reshaped before it is ever moved");
        }
        home = home.reshape(shape);
        working = home;
    }

    /** Makes the parameter usable on {@code device}: the home copy itself when it is already there. */
    public synchronized void placeOn(Device device) {
        if (resident && working.getDevice().equals(device)) {
            return;
        }
        releaseWorkingCopy();
        working = home.getDevice().equals(device) ? home : home.toDevice(device, false);
        resident = true;
    }

    /** Frees the working copy; {@link #get()} refuses until the next {@link #placeOn}. */
    public synchronized void offload() {
        releaseWorkingCopy();
        working = home;
        resident = false;
    }

    /** The copy where the weights were loaded (what {@link #placeOn} copies from). */
    public synchronized NDArray home() {
        return home;
    }

    /**
     * Makes {@code replacement} the parameter's values (a LoRA-patched copy, or the original again), keeping its
     * residency: on its device, a working copy elsewhere is made afresh. The previous home copy is returned and
     * left untouched — loaded weights may be mapped read-only from the checkpoint file, so they are never written.
     */
    public synchronized NDArray replaceHome(NDArray replacement) {
        NDArray previous = home;
        Device device = working.getDevice();
        releaseWorkingCopy();
        home = replacement;
        working = replacement.getDevice().equals(device) ? replacement : replacement.toDevice(device, false);
        return previous;
    }

    private void releaseWorkingCopy() {
        if (working != home) {
            working.close();
        }
    }
}

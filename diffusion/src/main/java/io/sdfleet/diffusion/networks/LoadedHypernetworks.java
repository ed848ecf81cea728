package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.loading.StableDiffusionModel;
import io.sdfleet.diffusion.unet.ContextTransform;

import java.util.ArrayList;
import java.util.List;

/**
 * The hypernetworks of one generation, loaded until closed. Their weights live in a sub-manager of the model (on its
 * device, in its precision) freed on close. The model itself is left alone: the run hands {@link #contextTransform()}
 * to its UNet calls, so other runs on the model are not affected.
 */
final class LoadedHypernetworks implements AutoCloseable {

    private final NDManager weights;
    private final ContextTransform contextTransform;

    private LoadedHypernetworks(NDManager weights, ContextTransform contextTransform) {
        this.weights = weights;
        this.contextTransform = contextTransform;
    }

    /** Loads every hypernetwork (found by name in {@code library}); close to free them. */
    static LoadedHypernetworks load(StableDiffusionModel model, List<HypernetActivation> hypernets,
                                    NetworkLibrary library) {
        NDManager weights = model.manager().newSubManager();
        try {
            List<HypernetworkStack.Active> active = new ArrayList<>();
            for (HypernetActivation h : hypernets) {
                if (h.multiplier() != 0) { // strength 0 is the plain model: skip the work
                    Hypernetwork hypernetwork = HypernetworkFile.read(library.find(h.name()), h.name(), weights,
                            model.unet().dtype());
                    active.add(new HypernetworkStack.Active(hypernetwork, (float) h.multiplier()));
                }
            }
            return new LoadedHypernetworks(weights, active.isEmpty() ? null : new HypernetworkStack(active));
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    /** What the UNet's attention layers compute keys and values from; null when none is active. */
    ContextTransform contextTransform() {
        return contextTransform;
    }

    @Override
    public void close() {
        weights.close();
    }
}

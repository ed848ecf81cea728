package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.pipeline.StableDiffusionModel;

import java.util.ArrayList;
import java.util.List;

/**
 * Hypernetworks hooked into a loaded model's UNet attention layers until closed. Their weights live in a
 * sub-manager of the model (on its device, in its precision) freed on close. Like a LoRA patch it changes the
 * shared model, so no other generation may run on it meanwhile.
 */
final class HypernetworkPatch implements AutoCloseable {

    private final StableDiffusionModel model;
    private final NDManager weights;
    private final boolean hooked;
    private boolean closed;

    private HypernetworkPatch(StableDiffusionModel model, NDManager weights, boolean hooked) {
        this.model = model;
        this.weights = weights;
        this.hooked = hooked;
    }

    /** Loads every hypernetwork (found by name in {@code library}) and hooks them in; close to unhook. */
    public static HypernetworkPatch apply(StableDiffusionModel model, List<HypernetActivation> hypernets,
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
            if (!active.isEmpty()) {
                model.unet().setContextTransform(new HypernetworkStack(active));
            }
            return new HypernetworkPatch(model, weights, !active.isEmpty());
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (hooked) {
            model.unet().setContextTransform(null);
        }
        weights.close();
    }
}

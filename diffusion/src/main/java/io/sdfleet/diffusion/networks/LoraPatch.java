package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.loading.StableDiffusionModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * LoRAs merged into a loaded model's weights, {@code W ← W + Δ}, and taken out again on {@link #close()}.
 *
 * <p>The loaded weights are never written: they may be mapped read-only from the checkpoint file (an fp32
 * safetensors), and the next generation must see the base model exactly (subtracting Δ again would not restore the
 * bits). So each touched layer parameter gets a patched copy, W + Δ, in a sub-manager of the model, and closing
 * gives the layer its original array back. Patching changes the shared model, so no other generation may run on it
 * until the patch is closed.
 */
final class LoraPatch implements AutoCloseable {

    private final NDManager originals;
    private final Map<String, Touched> touchedByKey = new LinkedHashMap<>();
    private final List<String> unmatched = new ArrayList<>();
    private boolean closed;

    private LoraPatch(NDManager originals) {
        this.originals = originals;
    }

    /** Merges every LoRA (found by name in {@code library}) into the model; close the result to undo. */
    public static LoraPatch apply(StableDiffusionModel model, List<LoraActivation> loras, NetworkLibrary library) {
        LoraPatch patch = new LoraPatch(model.manager().newSubManager());
        if (loras.isEmpty()) {
            return patch;
        }
        try {
            LoraTargets targets = new LoraTargets(model.parameterKeys());
            for (LoraActivation lora : loras) {
                try (LoraFile file = LoraFile.open(library.find(lora.name()))) {
                    patch.unmatched.addAll(file.unsupported());
                    for (LoraModule module : file.modules()) {
                        Optional<String> key = targets.weightKey(module.name());
                        if (key.isEmpty()) {
                            patch.unmatched.add(module.name()); // A1111 too skips names it cannot place
                            continue;
                        }
                        double multiplier = module.name().startsWith(KohyaNames.TEXT_PREFIX)
                                ? lora.textEncoderMultiplier() : lora.unetMultiplier();
                        patch.add(key.get(), model.parameterSlot(key.get()).orElseThrow(() -> new IllegalArgumentException(
                                "LoRA module " + module.name() + " targets " + key.get() + ", which no layer holds")),
                                module, multiplier);
                    }
                }
            }
            return patch;
        } catch (RuntimeException e) {
            patch.close();
            throw e;
        }
    }

    /** A layer parameter, its original array, and the patched copy it computes with meanwhile. */
    private record Touched(Parameter slot, NDArray original, NDArray patched) {
    }

    private void add(String key, Parameter slot, LoraModule module, double multiplier) {
        if (multiplier == 0) {
            return;
        }
        Touched touched = touchedByKey.computeIfAbsent(key, k -> {
            NDArray original = slot.home();
            NDArray copy = original.duplicate(); // writable, ours
            copy.attach(originals);
            return new Touched(slot, original, copy);
        });
        try (NDManager scope = originals.newSubManager()) {
            NDArray delta = module.delta(scope, touched.patched().getShape(), multiplier);
            touched.patched().addi(delta.toType(touched.patched().getDataType(), false));
        }
        slot.replaceHome(touched.patched()); // after the change, so a working copy on another device has it too
    }

    /** Kohya modules that were not applied: no such weight in this model, or not plain LoRA. */
    public List<String> unmatched() {
        return List.copyOf(unmatched);
    }

    /** How many model weights the patch changed. */
    public int patchedWeights() {
        return touchedByKey.size();
    }

    /** Copies every touched weight's original back, bit for bit, and frees the copies. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            touchedByKey.values().forEach(t -> t.slot().replaceHome(t.original()));
        } finally {
            touchedByKey.clear();
            originals.close();
        }
    }
}

package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.sdfleet.diffusion.pipeline.StableDiffusionModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * LoRAs merged into a loaded model's weights in place, {@code W ← W + Δ}, and taken out again on {@link #close()}.
 *
 * <p>Before its first change each touched weight is copied, and closing copies the original back: subtracting
 * Δ again would not restore the bits (float rounding), and the next generation must see the base model exactly.
 * The copies live on the weights' device, in a sub-manager of the model freed on close. Patching changes the
 * shared model, so no other generation may run on it until the patch is closed.
 */
public final class LoraPatch implements AutoCloseable {

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
                        patch.add(key.get(), model.parameter(key.get()).orElseThrow(), module, multiplier);
                    }
                }
            }
            return patch;
        } catch (RuntimeException e) {
            patch.close();
            throw e;
        }
    }

    /** A live weight and the copy of its original values. */
    private record Touched(NDArray weight, NDArray original) {
    }

    private void add(String key, NDArray weight, LoraModule module, double multiplier) {
        if (multiplier == 0) {
            return;
        }
        touchedByKey.computeIfAbsent(key, k -> {
            NDArray copy = weight.duplicate();
            copy.attach(originals);
            return new Touched(weight, copy);
        });
        try (NDManager scope = originals.newSubManager()) {
            NDArray delta = module.delta(scope, weight.getShape(), multiplier);
            weight.addi(delta.toType(weight.getDataType(), false));
        }
    }

    /** Kohya modules that were not applied: no such weight in this model, or not plain LoRA. */
    public List<String> unmatched() {
        return List.copyOf(unmatched);
    }

    /** The checkpoint keys of the weights the patch changed. */
    public java.util.Set<String> patchedKeys() {
        return java.util.Set.copyOf(touchedByKey.keySet());
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
            touchedByKey.values().forEach(t -> t.weight().set(new NDIndex("..."), t.original()));
        } finally {
            touchedByKey.clear();
            originals.close();
        }
    }
}

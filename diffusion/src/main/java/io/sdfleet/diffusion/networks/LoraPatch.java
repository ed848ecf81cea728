package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Parameter;
import io.sdfleet.diffusion.loading.StableDiffusionModel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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
                    Set<String> inFile = file.modules().stream().map(LoraModule::name).collect(Collectors.toSet());
                    for (LoraModule module : file.modules()) {
                        Optional<LoraTarget> target = targets.target(module.name());
                        if (target.isEmpty() || !inFile.containsAll(target.get().appliedTogether())) {
                            patch.unmatched.add(module.name()); // A1111 too skips names it cannot place
                            continue;
                        }
                        String key = target.get().weightKey();
                        double multiplier = KohyaNames.isTextEncoder(module.name())
                                ? lora.textEncoderMultiplier() : lora.unetMultiplier();
                        patch.add(target.get(), model.parameterSlot(key).orElseThrow(() -> new IllegalArgumentException(
                                "LoRA module " + module.name() + " targets " + key + ", which no layer holds")),
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

    private void add(LoraTarget target, Parameter slot, LoraModule module, double multiplier) {
        if (multiplier == 0) {
            return;
        }
        Touched touched = touchedByKey.computeIfAbsent(target.weightKey(), k -> {
            NDArray original = slot.home();
            NDArray copy = original.duplicate(); // writable, ours
            copy.attach(originals);
            return new Touched(slot, original, copy);
        });
        try (NDManager scope = originals.newSubManager()) {
            Shape weight = touched.patched().getShape();
            NDArray delta = placed(scope, target, module.delta(scope, target.blockShape(weight), multiplier));
            touched.patched().addi(delta.toType(touched.patched().getDataType(), false));
        }
        slot.replaceHome(touched.patched()); // after the change, so a working copy on another device has it too
    }

    /**
     * A part's update as one for the whole weight, zeros in the other parts' rows: A1111 stacks q, k and v's
     * updates onto {@code in_proj_weight} the same way, so the other rows are left exactly as they were.
     */
    private static NDArray placed(NDManager scope, LoraTarget target, NDArray delta) {
        if (target.parts() == 1) {
            return delta;
        }
        Shape block = delta.getShape();
        NDList rows = new NDList();
        for (int part = 0; part < target.parts(); part++) {
            rows.add(part == target.part() ? delta : scope.zeros(block, delta.getDataType()));
        }
        return NDArrays.concat(rows, 0);
    }

    /**
     * Kohya modules that were not applied: no such weight in this model, not plain LoRA, or a bigG attention
     * projection without the other three of its attention (see {@link KohyaNames#appliedTogether}).
     */
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

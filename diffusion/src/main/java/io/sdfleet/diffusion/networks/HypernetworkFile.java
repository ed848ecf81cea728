package io.sdfleet.diffusion.networks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TorchCheckpoint;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an A1111 hypernetwork .pt: {@code {width: (keys_state_dict, values_state_dict), ...}} with int widths, plus
 * {@code activation_func}, {@code activate_output} (default True) and other options. State-dict keys are
 * {@code linear.N.weight/bias} (N the index in the module's Sequential; 2-D = Linear, 1-D = LayerNorm) or the first
 * release's {@code linear1/linear2}.
 */
final class HypernetworkFile {

    private static final Pattern PARAMETER = Pattern.compile("linear\\.?(\\d+)\\.(weight|bias)");

    private HypernetworkFile() {
    }

    static Hypernetwork read(Path file, String name, NDManager manager, DataType floatType) {
        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            return fromData(checkpoint.data(), name, manager, floatType);
        }
    }

    /** The hypernetwork described by the unpickled data; its weights are created in {@code manager}. */
    static Hypernetwork fromData(Map<Object, Object> data, String name, NDManager manager, DataType floatType) {
        UnaryOperator<NDArray> activation = HypernetworkActivationFunction.named((String) data.get("activation_func"));
        boolean activateOutput = !Boolean.FALSE.equals(data.getOrDefault("activate_output", Boolean.TRUE));
        Map<Long, Hypernetwork.KeyValue> byWidth = new LinkedHashMap<>();
        data.forEach((key, value) -> {
            if (key instanceof Long width) {
                if (!(value instanceof List<?> pair) || pair.size() != 2) {
                    throw new CheckpointException("hypernetwork " + name + ": width " + width
                            + " does not hold a (keys, values) pair of state dicts");
                }
                byWidth.put(width, new Hypernetwork.KeyValue(
                        module(pair.get(0), activation, activateOutput, manager, floatType, name),
                        module(pair.get(1), activation, activateOutput, manager, floatType, name)));
            }
        });
        if (byWidth.isEmpty()) {
            throw new CheckpointException("hypernetwork " + name + " has no layers (no int width keys)");
        }
        return new Hypernetwork(name, byWidth);
    }

    private static HypernetworkModule module(Object stateDict, UnaryOperator<NDArray> activation, boolean activateOutput,
                                             NDManager manager, DataType floatType, String name) {
        if (!(stateDict instanceof Map<?, ?> tensors)) {
            throw new CheckpointException("hypernetwork " + name + ": expected a state dict, got " + stateDict);
        }
        Map<Integer, Map<String, StoredTensor>> byIndex = new TreeMap<>();
        tensors.forEach((key, value) -> {
            Matcher m = PARAMETER.matcher(String.valueOf(key));
            if (m.matches() && value instanceof StoredTensor t) {
                // The first release named its two linears linear1 and linear2.
                int index = String.valueOf(key).startsWith("linear.") ? Integer.parseInt(m.group(1))
                        : Integer.parseInt(m.group(1)) - 1;
                byIndex.computeIfAbsent(index, k -> new LinkedHashMap<>()).put(m.group(2), t);
            }
        });
        long linearCount = byIndex.values().stream().filter(p -> p.get("weight").shape().length == 2).count();
        List<HypernetworkModule.Layer> layers = new ArrayList<>();
        int linearsSeen = 0;
        for (Map<String, StoredTensor> parameters : byIndex.values()) {
            NDArray weight = Weights.toNDArray(parameters.get("weight"), manager, floatType);
            NDArray bias = parameters.containsKey("bias") ? Weights.toNDArray(parameters.get("bias"), manager, floatType) : null;
            if (weight.getShape().dimension() == 2) {
                linearsSeen++;
                boolean activated = linearsSeen < linearCount || activateOutput;
                layers.add(new HypernetworkModule.Layer(new Linear(weight, bias), null, activated));
            } else {
                layers.add(new HypernetworkModule.Layer(null, new LayerNorm(weight, bias, LayerNorm.DEFAULT_EPS), false));
            }
        }
        return new HypernetworkModule(layers, activation);
    }
}

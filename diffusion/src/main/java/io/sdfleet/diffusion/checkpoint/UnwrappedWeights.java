package io.sdfleet.diffusion.checkpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A checkpoint's tensors under their network names, BasicSR's wrapper removed: the released Real-ESRGAN, GFPGAN and
 * CodeFormer files keep their weights in {@code {"params_ema": {…}}} (or {@code params}), which a torch.save file
 * holds as a nested dict and a converted .safetensors as a key prefix. Files without a wrapper pass through
 * unchanged, as spandrel's {@code canonicalize_state_dict} does.
 */
public final class UnwrappedWeights implements TensorSource {

    private static final String[] WRAPPERS = {"params_ema", "params"};

    private final TensorSource file;
    private final Function<String, StoredTensor> read;
    private final Map<String, String> nameToStored;

    private UnwrappedWeights(TensorSource file, Function<String, StoredTensor> read, Map<String, String> nameToStored) {
        this.file = file;
        this.read = read;
        this.nameToStored = nameToStored;
    }

    public static UnwrappedWeights of(TensorSource file) {
        Map<String, StoredTensor> nested = file instanceof TorchCheckpoint torch ? nestedWeights(torch) : Map.of();
        Function<String, StoredTensor> read = nested.isEmpty() ? file::get : nested::get;
        Set<String> keys = nested.isEmpty() ? file.keys() : nested.keySet();
        String wrapper = nested.isEmpty() ? prefixOf(keys) : "";
        Map<String, String> names = new LinkedHashMap<>();
        for (String key : keys) {
            if (key.startsWith(wrapper)) {
                names.put(key.substring(wrapper.length()), key);
            }
        }
        return new UnwrappedWeights(file, read, names);
    }

    private static Map<String, StoredTensor> nestedWeights(TorchCheckpoint torch) {
        for (String wrapper : WRAPPERS) {
            Map<String, StoredTensor> inner = torch.tensorsUnder(wrapper);
            if (!inner.isEmpty()) {
                return inner;
            }
        }
        return Map.of();
    }

    private static String prefixOf(Set<String> keys) {
        for (String wrapper : WRAPPERS) {
            if (keys.stream().anyMatch(k -> k.startsWith(wrapper + "."))) {
                return wrapper + ".";
            }
        }
        return "";
    }

    @Override
    public Set<String> keys() {
        return nameToStored.keySet();
    }

    @Override
    public StoredTensor get(String key) {
        String stored = nameToStored.get(key);
        if (stored == null) {
            throw new CheckpointException("no tensor " + key + " in this file");
        }
        return read.apply(stored);
    }

    @Override
    public void close() {
        file.close();
    }
}

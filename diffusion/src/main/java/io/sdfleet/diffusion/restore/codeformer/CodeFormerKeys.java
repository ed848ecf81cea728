package io.sdfleet.diffusion.restore.codeformer;

import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.TorchCheckpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A CodeFormer checkpoint under its module names ({@code encoder.blocks.0.weight}, {@code ft_layers.0…},
 * {@code generator…}), the BasicSR wrapper removed: the released {@code codeformer-v0.1.0.pth} keeps its weights in
 * {@code {"params_ema": {…}}}, a converted .safetensors as a {@code params_ema.} key prefix; unwrapped files pass
 * through unchanged (spandrel's {@code canonicalize_state_dict} does the same).
 */
final class CodeFormerKeys implements TensorSource {

    private static final String[] WRAPPERS = {"params_ema", "params"};

    private final TensorSource file;
    private final Function<String, StoredTensor> read;
    private final Map<String, String> nameToStored;

    private CodeFormerKeys(TensorSource file, Function<String, StoredTensor> read, Map<String, String> nameToStored) {
        this.file = file;
        this.read = read;
        this.nameToStored = nameToStored;
    }

    static CodeFormerKeys of(TensorSource file) {
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
        return new CodeFormerKeys(file, read, names);
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
            throw new CheckpointException("no tensor " + key + " in this CodeFormer file");
        }
        return read.apply(stored);
    }

    @Override
    public void close() {
        file.close();
    }
}

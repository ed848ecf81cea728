package io.sdfleet.diffusion.restore.gfpgan;

import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.TorchCheckpoint;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A GFPGAN checkpoint's tensors under their network names: the released GFPGANv1.4.pth keeps them in a
 * {@code params_ema} dict (BasicSR's EMA copy), which a torch.save file holds as a nested dict and a converted
 * .safetensors as a key prefix; both are removed, as spandrel does. Files without a wrapper pass through.
 */
final class GfpganKeys implements TensorSource {

    private static final String[] WRAPPERS = {"params_ema", "params"};

    private final TensorSource file;
    private final Function<String, StoredTensor> read;
    private final Map<String, String> toStored;

    private GfpganKeys(TensorSource file, Function<String, StoredTensor> read, Map<String, String> toStored) {
        this.file = file;
        this.read = read;
        this.toStored = toStored;
    }

    static GfpganKeys of(TensorSource file) {
        Map<String, StoredTensor> nested = file instanceof TorchCheckpoint torch ? nestedWeights(torch) : Map.of();
        Function<String, StoredTensor> read = nested.isEmpty() ? file::get : nested::get;
        Set<String> keys = nested.isEmpty() ? file.keys() : nested.keySet();
        String wrapper = nested.isEmpty() ? prefixOf(keys) : "";
        Map<String, String> stored = new LinkedHashMap<>();
        for (String key : keys) {
            if (key.startsWith(wrapper)) {
                stored.put(key.substring(wrapper.length()), key);
            }
        }
        return new GfpganKeys(file, read, stored);
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
        return toStored.keySet();
    }

    @Override
    public StoredTensor get(String key) {
        String stored = toStored.get(key);
        if (stored == null) {
            throw new CheckpointException("no tensor " + key + " in this GFPGAN file");
        }
        return read.apply(stored);
    }

    @Override
    public void close() {
        file.close();
    }
}

package io.sdfleet.diffusion.restore.detect;

import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A RetinaFace file's tensors with the {@code module.} prefix that {@code nn.DataParallel} left on some releases
 * removed, as facexlib's {@code init_detection_model} strips it before {@code load_state_dict}.
 */
final class RetinaFaceKeys implements TensorSource {

    private static final String DATA_PARALLEL = "module.";

    private final TensorSource file;
    private final Map<String, String> stored;

    private RetinaFaceKeys(TensorSource file, Map<String, String> stored) {
        this.file = file;
        this.stored = stored;
    }

    static RetinaFaceKeys of(TensorSource file) {
        Map<String, String> stored = new LinkedHashMap<>();
        for (String key : file.keys()) {
            String name = key.startsWith(DATA_PARALLEL) ? key.substring(DATA_PARALLEL.length()) : key;
            if (stored.put(name, key) != null) {
                throw new CheckpointException("RetinaFace file holds " + name + " both with and without 'module.'");
            }
        }
        return new RetinaFaceKeys(file, stored);
    }

    @Override
    public Set<String> keys() {
        return stored.keySet();
    }

    @Override
    public StoredTensor get(String key) {
        String name = stored.get(key);
        if (name == null) {
            throw new CheckpointException("RetinaFace file has no tensor " + key);
        }
        return file.get(name);
    }

    @Override
    public boolean contains(String key) {
        return stored.containsKey(key);
    }
}

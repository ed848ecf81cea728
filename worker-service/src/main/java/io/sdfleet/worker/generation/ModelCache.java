package io.sdfleet.worker.generation;

import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loaded models, least recently used first; loading one more than {@code capacity} closes the oldest, freeing its
 * native memory. Used by the single job thread, so it needs no locking beyond the method monitors.
 */
final class ModelCache implements AutoCloseable {

    private final int capacity;
    private final ModelOptions options;
    private final LinkedHashMap<Path, StableDiffusionModel> models = new LinkedHashMap<>(4, 0.75f, true);

    ModelCache(int capacity, ModelOptions options) {
        this.capacity = capacity;
        this.options = options;
    }

    synchronized StableDiffusionModel get(Path checkpoint) {
        StableDiffusionModel model = models.get(checkpoint);
        if (model != null) {
            return model;
        }
        while (models.size() >= capacity) {
            Map.Entry<Path, StableDiffusionModel> eldest = models.entrySet().iterator().next();
            models.remove(eldest.getKey());
            eldest.getValue().close();
        }
        model = StableDiffusionModel.load(checkpoint, options);
        models.put(checkpoint, model);
        return model;
    }

    /** The files the loaded models came from (kept from eviction by the model puller). */
    synchronized Set<Path> files() {
        return Set.copyOf(models.keySet());
    }

    synchronized List<String> names() {
        List<String> names = new ArrayList<>();
        models.values().forEach(m -> names.add(m.name()));
        return names;
    }

    @Override
    public synchronized void close() {
        models.values().forEach(StableDiffusionModel::close);
        models.clear();
    }
}

package io.sdfleet.worker.generation;

import io.sdfleet.diffusion.loading.ModelOptions;
import io.sdfleet.diffusion.loading.StableDiffusionModel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
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
        return getTogether(List.of(checkpoint)).getFirst();
    }

    /**
     * Several models one job needs at once (an SDXL base and its refiner), in the order asked: none of them is evicted
     * to make room for another, so the cache holds more than its capacity while a job needs more.
     */
    synchronized List<StableDiffusionModel> getTogether(List<Path> checkpoints) {
        Set<Path> wanted = new LinkedHashSet<>(checkpoints);
        long missing = wanted.stream().filter(path -> !models.containsKey(path)).count();
        Iterator<Map.Entry<Path, StableDiffusionModel>> eldestFirst = models.entrySet().iterator();
        while (models.size() + missing > Math.max(capacity, wanted.size()) && eldestFirst.hasNext()) {
            Map.Entry<Path, StableDiffusionModel> eldest = eldestFirst.next();
            if (!wanted.contains(eldest.getKey())) {
                eldestFirst.remove();
                eldest.getValue().close();
            }
        }
        List<StableDiffusionModel> out = new ArrayList<>();
        for (Path checkpoint : checkpoints) {
            StableDiffusionModel model = models.get(checkpoint); // also marks it recently used
            if (model == null) {
                model = StableDiffusionModel.load(checkpoint, options);
                models.put(checkpoint, model);
            }
            out.add(model);
        }
        return out;
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

package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.TorchCheckpoint;
import io.sdfleet.gateway.models.ModelRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What A1111's {@code /embeddings} tells of each textual-inversion file: {@code shape} (the width of one vector,
 * clip_g's plus clip_l's for SDXL files), {@code vectors} (how many), and from an A1111 {@code .pt} the training
 * {@code step}, {@code sd_checkpoint} and {@code sd_checkpoint_name}, read as A1111's
 * {@code create_embedding_from_data} reads them. Only the file's header is read (the safetensors JSON header, the
 * torch pickle; tensor bytes stay untouched). Local files are remembered by path, size and modification time,
 * registered ones by sha256 (their bytes never change; they are small and fetched once from storage).
 */
@Component
public class EmbeddingShapes {

    private static final Logger log = LoggerFactory.getLogger(EmbeddingShapes.class);
    /** Embeddings are kilobytes; anything this large is not one worth downloading to list. */
    static final long MAX_REGISTERED_BYTES = 64L * 1024 * 1024;

    /** A1111's EmbeddingItem fields the file tells; step and the checkpoint fields are null when absent. */
    public record Shape(int shape, int vectors, Long step, String sdCheckpoint, String sdCheckpointName) {
    }

    private final ModelRegistry registry;
    private final Map<String, Optional<Shape>> cache = new ConcurrentHashMap<>();

    public EmbeddingShapes(ModelRegistry registry) {
        this.registry = registry;
    }

    /**
     * The shape of a listed embedding; empty when the file is not an embedding A1111 (or sdfleet's engine) could load,
     * or, for a registered one, when storage cannot give it now (not remembered: asked again next time).
     */
    public Optional<Shape> of(ModelCatalog.Model model) {
        if (model.localPath() != null) {
            Path file = model.localPath();
            String key;
            try {
                key = file.toAbsolutePath().normalize() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                return Optional.empty();
            }
            return cache.computeIfAbsent(key, k -> read(file, model.name()));
        }
        if (model.sha256() == null) {
            return Optional.empty();
        }
        String key = "sha256:" + model.sha256();
        Optional<Shape> known = cache.get(key);
        if (known != null) {
            return known;
        }
        Optional<Shape> shape = downloaded(model);
        if (shape != null) {
            cache.put(key, shape);
            return shape;
        }
        return Optional.empty();
    }

    /** Null when storage could not be asked (try again later); empty when the file is no embedding. */
    private Optional<Shape> downloaded(ModelCatalog.Model model) {
        Path temp = null;
        try {
            Optional<byte[]> bytes = registry.download(model.sha256(), MAX_REGISTERED_BYTES);
            if (bytes.isEmpty()) {
                return null;
            }
            String name = model.name();
            String suffix = name.lastIndexOf('.') >= 0 ? name.substring(name.lastIndexOf('.')) : ".bin";
            temp = Files.createTempFile("sdfleet-embedding-", suffix);
            Files.write(temp, bytes.get());
            return read(temp, name);
        } catch (IOException e) {
            log.debug("embedding {} not fetched from storage: {}", model.name(), e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a temp file left behind
                }
            }
        }
    }

    static Optional<Shape> read(Path file, String name) {
        try (TensorSource source = CheckpointFiles.open(file)) {
            return Optional.of(shapeOf(source));
        } catch (RuntimeException e) {
            log.warn("embedding {} is not listed: {}", name, e.getMessage());
            return Optional.empty();
        }
    }

    private static Shape shapeOf(TensorSource source) {
        Map<String, Object> top = source instanceof TorchCheckpoint torch ? torch.topLevel() : Map.of();
        Long step = top.get("step") instanceof Long s ? s : null;
        String checkpoint = top.get("sd_checkpoint") instanceof String c ? c : null;
        String checkpointName = top.get("sd_checkpoint_name") instanceof String c ? c : null;
        if (source instanceof TorchCheckpoint torch && torch.topLevel().containsKey("string_to_param")) {
            StoredTensor t = single(torch.tensorsUnder("string_to_param"));
            return new Shape(width(t), count(t), step, checkpoint, checkpointName);
        }
        if (source.contains("clip_g") && source.contains("clip_l")) { // SDXL: both encoders' vectors
            StoredTensor g = source.get("clip_g");
            StoredTensor l = source.get("clip_l");
            return new Shape(width(g) + width(l), count(g), step, checkpoint, checkpointName);
        }
        Map<String, StoredTensor> all = new LinkedHashMap<>();
        for (String key : source.keys()) {
            all.put(key, source.get(key));
        }
        StoredTensor t = single(all);
        return new Shape(width(t), count(t), step, checkpoint, checkpointName);
    }

    private static StoredTensor single(Map<String, StoredTensor> tensors) {
        if (tensors.size() != 1) {
            throw new IllegalArgumentException("holds " + tensors.size() + " tensors " + tensors.keySet()
                    + "; an embedding has exactly one (one term per file)");
        }
        StoredTensor t = tensors.values().iterator().next();
        if (t.shape().length != 1 && t.shape().length != 2) {
            throw new IllegalArgumentException("holds a tensor of shape " + Arrays.toString(t.shape())
                    + ", not [vectors, width]");
        }
        return t;
    }

    private static int width(StoredTensor t) {
        return Math.toIntExact(t.shape()[t.shape().length - 1]);
    }

    /** A 1-D tensor is one vector (A1111 unsqueezes it). */
    private static int count(StoredTensor t) {
        return t.shape().length == 1 ? 1 : Math.toIntExact(t.shape()[0]);
    }
}

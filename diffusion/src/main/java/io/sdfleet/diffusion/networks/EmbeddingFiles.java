package io.sdfleet.diffusion.networks;

import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.TorchCheckpoint;
import io.sdfleet.diffusion.prompt.EmbeddingVectors;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a textual-inversion embedding the ways A1111's {@code create_embedding_from_data} accepts one: an A1111
 * .pt ({@code string_to_param: {'*': [n, width]}}), an SDXL file with {@code clip_l} and {@code clip_g} tensors (one
 * set of vectors per text tower), or a file holding a single tensor — a .safetensors with {@code emb_params}, a
 * diffusers concept .bin ({@code {token: [width]}}). A 1-D tensor is one vector.
 */
final class EmbeddingFiles {

    private EmbeddingFiles() {
    }

    /** The one-tower embedding in {@code file}, called {@code name} in prompts. */
    public static EmbeddingVectors read(Path file, String name) {
        return open(file, name).single().orElseThrow(() -> new IllegalArgumentException("embedding "
                + file.getFileName() + " is an SDXL embedding (clip_l and clip_g), not one set of vectors"));
    }

    /** The embedding in {@code file}, one-tower or SDXL's, called {@code name} in prompts. */
    public static EmbeddingFile open(Path file, String name) {
        try (TensorSource source = CheckpointFiles.open(file)) {
            if (source.contains(EmbeddingTower.CLIP_L.fileKey()) && source.contains(EmbeddingTower.CLIP_G.fileKey())) {
                Map<EmbeddingTower, EmbeddingVectors> byTower = new EnumMap<>(EmbeddingTower.class);
                for (EmbeddingTower tower : EmbeddingTower.values()) {
                    byTower.put(tower, vectors(source.get(tower.fileKey()), name, file));
                }
                return new EmbeddingFile(name, Optional.empty(), byTower);
            }
            return new EmbeddingFile(name, Optional.of(vectors(vectorsOf(source, file), name, file)), Map.of());
        }
    }

    private static EmbeddingVectors vectors(StoredTensor tensor, String name, Path file) {
        long[] shape = tensor.shape();
        if (shape.length != 1 && shape.length != 2) {
            throw new IllegalArgumentException("embedding " + file.getFileName() + " holds a tensor of shape "
                    + Arrays.toString(shape) + ", not [vectors, width]");
        }
        int count = shape.length == 1 ? 1 : Math.toIntExact(shape[0]);
        int width = Math.toIntExact(shape[shape.length - 1]);
        return new EmbeddingVectors(name, count, width, tensor.toFloats());
    }

    private static StoredTensor vectorsOf(TensorSource source, Path file) {
        if (source instanceof TorchCheckpoint torch && torch.topLevel().containsKey("string_to_param")) {
            return single(torch.tensorsUnder("string_to_param"), file);
        }
        Map<String, StoredTensor> all = new LinkedHashMap<>();
        for (String key : source.keys()) {
            all.put(key, source.get(key));
        }
        return single(all, file);
    }

    private static StoredTensor single(Map<String, StoredTensor> tensors, Path file) {
        if (tensors.size() != 1) {
            throw new IllegalArgumentException("embedding " + file.getFileName() + " holds " + tensors.size()
                    + " tensors " + tensors.keySet() + "; expected exactly one (one term per file)");
        }
        return tensors.values().iterator().next();
    }
}

package io.sdfleet.diffusion.networks;

import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.checkpoint.TorchCheckpoint;
import io.sdfleet.diffusion.prompt.EmbeddingVectors;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a textual-inversion embedding the ways A1111's {@code create_embedding_from_data} accepts one: an A1111
 * .pt ({@code string_to_param: {'*': [n, width]}}), or a file holding a single tensor — a .safetensors with
 * {@code emb_params}, a diffusers concept .bin ({@code {token: [width]}}). A 1-D tensor is one vector.
 */
final class EmbeddingFiles {

    private EmbeddingFiles() {
    }

    /** The embedding in {@code file}, called {@code name} in prompts. */
    public static EmbeddingVectors read(Path file, String name) {
        try (TensorSource source = CheckpointFiles.open(file)) {
            StoredTensor tensor = vectorsOf(source, file);
            long[] shape = tensor.shape();
            if (shape.length != 1 && shape.length != 2) {
                throw new IllegalArgumentException("embedding " + file.getFileName() + " holds a tensor of shape "
                        + Arrays.toString(shape) + ", not [vectors, width]");
            }
            int count = shape.length == 1 ? 1 : Math.toIntExact(shape[0]);
            int width = Math.toIntExact(shape[shape.length - 1]);
            return new EmbeddingVectors(name, count, width, tensor.toFloats());
        }
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

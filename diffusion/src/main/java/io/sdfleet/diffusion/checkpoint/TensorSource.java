package io.sdfleet.diffusion.checkpoint;

import java.util.Set;

/**
 * Named tensors read from one or more files (a .safetensors, a .ckpt, a diffusers folder after key renaming).
 * Implementations read lazily: a tensor's bytes are touched only when asked for.
 */
public interface TensorSource extends AutoCloseable {

    Set<String> keys();

    /** The stored tensor, or a CheckpointException naming the key when absent. */
    StoredTensor get(String key);

    default boolean contains(String key) {
        return keys().contains(key);
    }

    @Override
    default void close() {
    }
}

package io.sdfleet.storage.model;

import java.util.List;
import java.util.Locale;

/** What a model file is, with the file extensions A1111 accepts for it. */
public enum ModelKind {
    CHECKPOINT(List.of(".safetensors", ".ckpt")),
    VAE(List.of(".safetensors", ".ckpt", ".pt")),
    LORA(List.of(".safetensors", ".pt", ".ckpt")),
    EMBEDDING(List.of(".safetensors", ".pt", ".bin")),
    HYPERNETWORK(List.of(".pt"));

    private final List<String> extensions;

    ModelKind(List<String> extensions) {
        this.extensions = extensions;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public List<String> extensions() {
        return extensions;
    }

    public static ModelKind of(String id) {
        if (id != null) {
            for (ModelKind kind : values()) {
                if (kind.id().equalsIgnoreCase(id.trim())) {
                    return kind;
                }
            }
        }
        throw new IllegalArgumentException("kind: one of checkpoint, vae, lora, embedding, hypernetwork; got " + id);
    }
}

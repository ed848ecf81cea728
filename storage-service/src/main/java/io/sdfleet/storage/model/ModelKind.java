package io.sdfleet.storage.model;

import java.util.List;
import java.util.Locale;

/**
 * What a model file is, with the file extensions A1111 accepts for it: the generation models, and the upscaler and
 * face-restoration models of A1111's folders models/ESRGAN, models/RealESRGAN, models/Codeformer and models/GFPGAN
 * (kind = the folder's name in lower case).
 */
public enum ModelKind {
    CHECKPOINT(List.of(".safetensors", ".ckpt")),
    VAE(List.of(".safetensors", ".ckpt", ".pt")),
    LORA(List.of(".safetensors", ".pt", ".ckpt")),
    EMBEDDING(List.of(".safetensors", ".pt", ".bin")),
    HYPERNETWORK(List.of(".pt")),
    ESRGAN(List.of(".pth", ".pt", ".safetensors")),
    REALESRGAN(List.of(".pth")),
    CODEFORMER(List.of(".pth")),
    GFPGAN(List.of(".pth"));

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
        throw new IllegalArgumentException("kind: one of " + String.join(", ",
                java.util.Arrays.stream(values()).map(ModelKind::id).toList()) + "; got " + id);
    }
}

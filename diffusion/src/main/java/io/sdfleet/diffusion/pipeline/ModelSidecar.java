package io.sdfleet.diffusion.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Facts a checkpoint's tensors cannot tell, read from an optional JSON file beside it ({@code model.json} next to
 * {@code model.safetensors}, or a diffusers folder's {@code text_encoder/config.json}): today the text encoder's
 * head count ({@code num_attention_heads}, found at any depth).
 */
public record ModelSidecar(Optional<Integer> textHeads) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static ModelSidecar near(Path checkpoint) {
        for (Path candidate : candidates(checkpoint)) {
            if (Files.isRegularFile(candidate)) {
                try {
                    JsonNode root = JSON.readTree(candidate.toFile());
                    JsonNode heads = root.findValue("num_attention_heads");
                    if (heads != null && heads.canConvertToInt()) {
                        return new ModelSidecar(Optional.of(heads.asInt()));
                    }
                } catch (IOException e) {
                    // Not our JSON (or unreadable): fall back to the defaults below.
                }
            }
        }
        return new ModelSidecar(Optional.empty());
    }

    private static Path[] candidates(Path checkpoint) {
        if (Files.isDirectory(checkpoint)) {
            return new Path[] {checkpoint.resolve("text_encoder").resolve("config.json")};
        }
        String file = checkpoint.getFileName().toString();
        int dot = file.lastIndexOf('.');
        String stem = dot > 0 ? file.substring(0, dot) : file;
        return new Path[] {checkpoint.resolveSibling(stem + ".json")};
    }

    /**
     * Heads of a CLIP text transformer {@code width} wide: the sidecar's count, else 64-wide heads as in every
     * released CLIP (768 → 12, 1024 → 16); below 256 wide (test-sized models) 16-wide heads.
     */
    public int textHeadsFor(long width) {
        return textHeads.orElseGet(() -> Math.toIntExact(width >= 256 ? width / 64 : Math.max(1, width / 16)));
    }
}

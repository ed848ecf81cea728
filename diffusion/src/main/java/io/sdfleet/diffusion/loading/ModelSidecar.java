package io.sdfleet.diffusion.loading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sdfleet.diffusion.model.NoisePredictor.Prediction;
import io.sdfleet.diffusion.unet.HeadLayout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Facts a checkpoint's tensors cannot tell, read from an optional JSON file beside it ({@code model.json} next to
 * {@code model.safetensors}, or a diffusers folder's {@code text_encoder/config.json}), each key found at any
 * depth: the text encoder's head count ({@code num_attention_heads}), the UNet's head layout
 * ({@code num_head_channels} or {@code num_heads}, LDM's names) and the prediction type
 * ({@code parameterization}: "eps" or "v").
 */
public record ModelSidecar(Optional<Integer> textHeads, Optional<HeadLayout> unetHeads,
                           Optional<Prediction> prediction) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelSidecar NONE = new ModelSidecar(Optional.empty(), Optional.empty(), Optional.empty());

    public static ModelSidecar near(Path checkpoint) {
        for (Path candidate : candidates(checkpoint)) {
            if (Files.isRegularFile(candidate)) {
                try {
                    return of(JSON.readTree(candidate.toFile()));
                } catch (IOException e) {
                    // Not our JSON (or unreadable): fall back to the defaults below.
                }
            }
        }
        return NONE;
    }

    private static ModelSidecar of(JsonNode root) {
        Optional<Integer> textHeads = positiveInt(root, "num_attention_heads");
        // LDM writes -1 for whichever of the two it does not use.
        Optional<HeadLayout> unetHeads = positiveInt(root, "num_head_channels").map(HeadLayout::fixedWidth)
                .or(() -> positiveInt(root, "num_heads").map(HeadLayout::fixedCount));
        Optional<Prediction> prediction = Optional.ofNullable(root.findValue("parameterization"))
                .filter(JsonNode::isTextual)
                .flatMap(node -> Parameterization.parse(node.asText()));
        return new ModelSidecar(textHeads, unetHeads, prediction);
    }

    private static Optional<Integer> positiveInt(JsonNode root, String key) {
        JsonNode value = root.findValue(key);
        return value != null && value.canConvertToInt() && value.asInt() > 0 ? Optional.of(value.asInt()) : Optional.empty();
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

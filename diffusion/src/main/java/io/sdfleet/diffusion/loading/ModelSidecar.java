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
 * {@code model.safetensors} or next to a diffusers folder {@code model/}, else the folder's
 * {@code text_encoder/config.json}), each key found at any depth: the text encoder's head count
 * ({@code num_attention_heads}), the UNet's head layout ({@code num_head_channels} or {@code num_heads}, LDM's
 * names) and the prediction type ({@code parameterization}: "eps" or "v"). An SDXL diffusers folder's second tower
 * takes its head count from {@code text_encoder_2/config.json}.
 */
public record ModelSidecar(Optional<Integer> textHeads, Optional<HeadLayout> unetHeads,
                           Optional<Prediction> prediction, Optional<Integer> secondTextHeads) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ModelSidecar NONE = new ModelSidecar(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    public static ModelSidecar near(Path checkpoint) {
        String file = checkpoint.getFileName().toString();
        if (!Files.isDirectory(checkpoint)) {
            int dot = file.lastIndexOf('.');
            String stem = dot > 0 ? file.substring(0, dot) : file;
            return read(checkpoint.resolveSibling(stem + ".json")).map(ModelSidecar::of).orElse(NONE);
        }
        // a diffusers folder: the engine's sidecar beside it first, then what the components' configs say
        ModelSidecar beside = read(checkpoint.resolveSibling(file + ".json")).map(ModelSidecar::of).orElse(NONE);
        ModelSidecar text = read(checkpoint.resolve("text_encoder").resolve("config.json")).map(ModelSidecar::of)
                .orElse(NONE);
        Optional<Integer> second = read(checkpoint.resolve("text_encoder_2").resolve("config.json"))
                .flatMap(json -> positiveInt(json, "num_attention_heads"));
        return new ModelSidecar(beside.textHeads.or(() -> text.textHeads), beside.unetHeads.or(() -> text.unetHeads),
                beside.prediction.or(() -> text.prediction), second);
    }

    private static Optional<JsonNode> read(Path candidate) {
        if (!Files.isRegularFile(candidate)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readTree(candidate.toFile()));
        } catch (IOException e) {
            return Optional.empty(); // Not our JSON (or unreadable): fall back to the defaults.
        }
    }

    private static ModelSidecar of(JsonNode root) {
        Optional<Integer> textHeads = positiveInt(root, "num_attention_heads");
        // LDM writes -1 for whichever of the two it does not use.
        Optional<HeadLayout> unetHeads = positiveInt(root, "num_head_channels").map(HeadLayout::fixedWidth)
                .or(() -> positiveInt(root, "num_heads").map(HeadLayout::fixedCount));
        Optional<Prediction> prediction = Optional.ofNullable(root.findValue("parameterization"))
                .filter(JsonNode::isTextual)
                .flatMap(node -> Parameterization.parse(node.asText()));
        return new ModelSidecar(textHeads, unetHeads, prediction, Optional.empty());
    }

    private static Optional<Integer> positiveInt(JsonNode root, String key) {
        JsonNode value = root.findValue(key);
        return value != null && value.canConvertToInt() && value.asInt() > 0 ? Optional.of(value.asInt()) : Optional.empty();
    }

    /**
     * Heads of a CLIP text transformer {@code width} wide: the sidecar's count, else 64-wide heads as in every
     * released CLIP (768 → 12, 1024 → 16); below 256 wide (test-sized models) 16-wide heads.
     */
    public int textHeadsFor(long width) {
        return textHeads.orElseGet(() -> defaultHeads(width));
    }

    /** Heads of SDXL's second tower (bigG) in a diffusers folder: its own config's count, else the default rule. */
    public int secondTextHeadsFor(long width) {
        return secondTextHeads.orElseGet(() -> defaultHeads(width));
    }

    private static int defaultHeads(long width) {
        return Math.toIntExact(width >= 256 ? width / 64 : Math.max(1, width / 16));
    }
}

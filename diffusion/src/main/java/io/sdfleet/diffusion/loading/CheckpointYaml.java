package io.sdfleet.diffusion.loading;

import io.sdfleet.diffusion.model.NoisePredictor.Prediction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A1111's config sidecar: {@code model.yaml} beside {@code model.safetensors}, an LDM config whose presence
 * replaces A1111's guessing. Only one fact of it matters here, {@code model.params.parameterization}, so the file
 * is scanned for that key's line rather than parsed as YAML; LDM's default applies when the key is absent.
 */
final class CheckpointYaml {

    // `parameterization: "v"`, `parameterization: v  # comment`, quoted or not.
    private static final Pattern PARAMETERIZATION =
            Pattern.compile("^\\s*parameterization\\s*:\\s*[\"']?([A-Za-z0-9_]+)[\"']?\\s*(#.*)?$");

    private CheckpointYaml() {
    }

    /** The sidecar's path for a checkpoint file: the same name with extension {@code .yaml}. */
    public static Path beside(Path checkpoint) {
        String file = checkpoint.getFileName().toString();
        int dot = file.lastIndexOf('.');
        return checkpoint.resolveSibling((dot > 0 ? file.substring(0, dot) : file) + ".yaml");
    }

    /** The prediction type the sidecar configures, or empty when there is no sidecar (or a folder model). */
    public static Optional<Prediction> predictionNear(Path checkpoint) {
        if (Files.isDirectory(checkpoint)) {
            return Optional.empty();
        }
        Path yaml = beside(checkpoint);
        if (!Files.isRegularFile(yaml)) {
            return Optional.empty();
        }
        try {
            for (String line : Files.readAllLines(yaml)) {
                Matcher m = PARAMETERIZATION.matcher(line);
                if (m.matches()) {
                    return Optional.of(Parameterization.parse(m.group(1)).orElseThrow(() -> new IllegalArgumentException(
                            yaml.getFileName() + ": unknown parameterization '" + m.group(1) + "'")));
                }
            }
            return Optional.of(Prediction.EPSILON); // LDM's default when the config does not say
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + yaml, e);
        }
    }
}

package io.sdfleet.diffusion.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the third-party reference outputs ({@code ../shared/reference} beside the project root by default; set
 * the system property or environment variable {@code SDFLEET_REFERENCE} / {@code sdfleet.reference} to move it).
 * Tests that need it are skipped with a message naming the path when it is absent.
 */
public final class Reference {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Reference() {
    }

    public static Path root() {
        String configured = System.getProperty("sdfleet.reference");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("SDFLEET_REFERENCE");
        }
        Path path = configured == null || configured.isBlank()
                ? Path.of("..", "..", "shared", "reference") // surefire runs in diffusion/
                : Path.of(configured);
        return path.toAbsolutePath().normalize();
    }

    /** Skips the calling test, saying where the reference was looked for, when it is missing. */
    public static Path require() {
        Path root = root();
        Assumptions.assumeTrue(Files.isRegularFile(root.resolve("README.md")),
                "reference data not found at " + root + " (set -Dsdfleet.reference=PATH); skipping");
        return root;
    }

    public static Path file(String relative) {
        return require().resolve(relative);
    }

    public static SafetensorsFile tensors(String relative) {
        return SafetensorsFile.open(file(relative));
    }

    public static JsonNode json(String relative) {
        try {
            return JSON.readTree(file(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.sdfleet.diffusion.networks;

import java.nio.file.Path;
import java.util.Optional;

/** Where a generation finds the extra networks its prompt names (A1111's models/Lora, embeddings, models/hypernetworks). */
public record NetworkDirectories(Optional<Path> loras, Optional<Path> embeddings, Optional<Path> hypernetworks) {

    public static NetworkDirectories none() {
        return new NetworkDirectories(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** A1111's layout under one root: {@code Lora/}, {@code embeddings/} and {@code hypernetworks/}. */
    public static NetworkDirectories under(Path root) {
        return new NetworkDirectories(Optional.of(root.resolve("Lora")), Optional.of(root.resolve("embeddings")),
                Optional.of(root.resolve("hypernetworks")));
    }
}

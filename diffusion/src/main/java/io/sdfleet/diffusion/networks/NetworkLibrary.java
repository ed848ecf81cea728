package io.sdfleet.diffusion.networks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A folder of network files of one kind (LoRAs, embeddings, hypernetworks), looked up by file name without
 * extension, in sub-folders too, as A1111 lists them. An unknown name is an error naming the file that was looked
 * for: a prompt asking for a network that is not there must not silently give another image.
 */
public final class NetworkLibrary {

    private final String kind;
    private final Optional<Path> folder;
    private final List<String> extensions;

    public NetworkLibrary(String kind, Optional<Path> folder, List<String> extensions) {
        this.kind = kind;
        this.folder = folder;
        this.extensions = List.copyOf(extensions);
    }

    public static NetworkLibrary loras(Optional<Path> folder) {
        return new NetworkLibrary("LoRA", folder, List.of(".safetensors", ".pt", ".ckpt"));
    }

    public static NetworkLibrary hypernetworks(Optional<Path> folder) {
        return new NetworkLibrary("hypernetwork", folder, List.of(".pt"));
    }

    public static NetworkLibrary embeddings(Optional<Path> folder) {
        return new NetworkLibrary("embedding", folder, List.of(".safetensors", ".pt", ".bin"));
    }

    /** The file called {@code name} plus one of the extensions. */
    public Path find(String name) {
        Path found = files().get(name);
        if (found == null) {
            throw new IllegalArgumentException(kind + " '" + name + "' not found: no file " + name
                    + String.join(", " + name, extensions) + " in "
                    + folder.map(Path::toString).orElse("(no " + kind + " folder configured)"));
        }
        return found;
    }

    /** Every network file by name (the first in path order when two share a name). */
    public Map<String, Path> files() {
        Map<String, Path> byName = new TreeMap<>();
        if (folder.isEmpty() || !Files.isDirectory(folder.get())) {
            return byName;
        }
        try (Stream<Path> walk = Files.walk(folder.get())) {
            walk.filter(Files::isRegularFile).sorted().forEach(file -> {
                String fileName = file.getFileName().toString();
                for (String extension : extensions) {
                    if (fileName.toLowerCase(Locale.ROOT).endsWith(extension)) {
                        byName.putIfAbsent(fileName.substring(0, fileName.length() - extension.length()), file);
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder.get(), e);
        }
        return byName;
    }
}

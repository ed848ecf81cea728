package io.sdfleet.worker.models;

import io.sdfleet.diffusion.restore.FaceModelFiles;
import io.sdfleet.request.Extras;
import io.sdfleet.storageclient.RegisteredModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The face-restoration files an extras job needs, found as A1111 finds them: GFPGAN as the first {@code .pth} in
 * {@code models/GFPGAN} whose name holds "GFPGAN" (case as A1111), CodeFormer as the first {@code .pth} in {@code models/Codeformer},
 * facexlib's detection and parsing files in {@code models/GFPGAN}; a file not there is pulled from the registry
 * (kinds {@code gfpgan}, {@code codeformer}) when it has one. What is in neither stays empty, and the restorer then
 * says which model is not available.
 */
public final class FaceRestorerFiles {

    private FaceRestorerFiles() {
    }

    public static FaceModelFiles prepare(Path modelsDir, ModelPuller puller, Extras extras) {
        if (!extras.restoresWithGfpgan() && !extras.restoresWithCodeFormer()) {
            return FaceModelFiles.none();
        }
        Path gfpganDir = modelsDir.resolve("GFPGAN");
        Optional<Path> gfpgan = extras.restoresWithGfpgan()
                ? find(gfpganDir, puller, "gfpgan", n -> n.contains(FaceModelFiles.GFPGAN)) : Optional.empty();
        Optional<Path> codeformer = extras.restoresWithCodeFormer()
                ? find(modelsDir.resolve("Codeformer"), puller, "codeformer", n -> true) : Optional.empty();
        return new FaceModelFiles(gfpgan, codeformer,
                find(gfpganDir, puller, "gfpgan", n -> n.equals(FaceModelFiles.DETECTION_FILE)),
                find(gfpganDir, puller, "gfpgan", n -> n.equals(FaceModelFiles.PARSING_FILE)));
    }

    /** The first {@code .pth} file whose name {@code named} accepts, in the folder, else in the registry. */
    private static Optional<Path> find(Path dir, ModelPuller puller, String kind, Predicate<String> named) {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                Optional<Path> local = files.filter(Files::isRegularFile).sorted()
                        .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pth"))
                        .filter(f -> named.test(f.getFileName().toString()))
                        .findFirst();
                if (local.isPresent()) {
                    return local;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return puller.list(kind).stream().map(RegisteredModel::name).sorted()
                .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".pth") && named.test(n))
                .findFirst().flatMap(n -> puller.find(kind, n)).map(puller::pull);
    }
}

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
 * {@code models/GFPGAN} whose name holds "GFPGAN", CodeFormer as the first {@code .pth} in {@code models/Codeformer},
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
                ? find(gfpganDir, puller, "gfpgan", n -> n.contains("gfpgan")) : Optional.empty();
        Optional<Path> codeformer = extras.restoresWithCodeFormer()
                ? find(modelsDir.resolve("Codeformer"), puller, "codeformer", n -> true) : Optional.empty();
        Optional<Path> detection = find(gfpganDir, puller, "gfpgan",
                n -> n.equals(FaceModelFiles.DETECTION_FILE.toLowerCase(Locale.ROOT)));
        return new FaceModelFiles(gfpgan, codeformer, detection.map(Path::getParent));
    }

    private static Optional<Path> find(Path dir, ModelPuller puller, String kind, Predicate<String> lowerName) {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                Optional<Path> local = files.filter(Files::isRegularFile).sorted()
                        .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pth"))
                        .filter(f -> lowerName.test(f.getFileName().toString().toLowerCase(Locale.ROOT)))
                        .findFirst();
                if (local.isPresent()) {
                    return local;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + dir, e);
            }
        }
        return puller.list(kind).stream().map(RegisteredModel::name).sorted()
                .filter(n -> n.toLowerCase(Locale.ROOT).endsWith(".pth") && lowerName.test(n.toLowerCase(Locale.ROOT)))
                .findFirst().flatMap(n -> puller.find(kind, n)).map(puller::pull);
    }
}

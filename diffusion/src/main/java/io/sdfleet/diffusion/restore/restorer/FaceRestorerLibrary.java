package io.sdfleet.diffusion.restore.restorer;

import ai.djl.ndarray.NDManager;
import io.sdfleet.request.FaceRestoration;
import io.sdfleet.request.FaceRestoration.Restorer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The face restorers a generation can name, found as A1111 finds them (the rules of {@link FaceRestoration}) under a
 * models root ({@code Codeformer/}, {@code GFPGAN/}), or given as files (what a worker pulled for the job). A restorer
 * is read when it is opened; a missing file is an error naming it, never a silently unrestored image.
 */
public final class FaceRestorerLibrary implements FaceRestorers {

    /** The files one restorer reads: its network, and facexlib's detector and parser. */
    public record RestorerFiles(Path network, Path detector, Path parser) {
    }

    /** A restorer named whose file is not here. */
    public static final class MissingFaceRestorerException extends IllegalArgumentException {
        public MissingFaceRestorerException(String message) {
            super(message);
        }
    }

    private final Optional<Path> modelsRoot;
    private final Map<String, RestorerFiles> given;

    private FaceRestorerLibrary(Optional<Path> modelsRoot, Map<String, RestorerFiles> given) {
        this.modelsRoot = modelsRoot;
        this.given = given;
    }

    /** No restorers. */
    public static FaceRestorerLibrary none() {
        return new FaceRestorerLibrary(Optional.empty(), Map.of());
    }

    /** A1111's layout under one models root. */
    public static FaceRestorerLibrary under(Path modelsRoot) {
        return new FaceRestorerLibrary(Optional.of(modelsRoot), Map.of());
    }

    /** This library, with {@code model} read from {@code files} whatever the folders hold. */
    public FaceRestorerLibrary withFiles(String model, RestorerFiles files) {
        Map<String, RestorerFiles> more = new LinkedHashMap<>(given);
        more.put(model, files);
        return new FaceRestorerLibrary(modelsRoot, Map.copyOf(more));
    }

    /**
     * The files behind {@code model}.
     *
     * @throws MissingFaceRestorerException naming every file that is not here
     */
    public RestorerFiles files(String model) {
        if (given.containsKey(model)) {
            return given.get(model);
        }
        Restorer restorer = Restorer.of(model);
        Optional<Path> network = network(model);
        Optional<Path> detector = helper(FaceRestoration.DETECTION_FILE);
        Optional<Path> parser = helper(FaceRestoration.PARSING_FILE);
        if (network.isEmpty() || detector.isEmpty() || parser.isEmpty()) {
            StringBuilder lacks = new StringBuilder();
            if (network.isEmpty()) {
                lacks.append(restorer.folder()).append('/').append(restorer.downloadName());
            }
            // in a fixed order (detector, parser), so the message reads the same every time
            for (Map.Entry<String, Optional<Path>> f : List.of(Map.entry(FaceRestoration.DETECTION_FILE, detector),
                    Map.entry(FaceRestoration.PARSING_FILE, parser))) {
                if (f.getValue().isEmpty()) {
                    lacks.append(lacks.isEmpty() ? "" : ", ").append(FaceRestoration.HELPER_FILES_HOME.folder())
                            .append('/').append(f.getKey());
                }
            }
            throw new MissingFaceRestorerException("face restoration with " + model + " needs " + lacks
                    + ", which " + (modelsRoot.isEmpty() ? "no models folder holds" : "is not in " + modelsRoot.get()));
        }
        return new RestorerFiles(network.get(), detector.get(), parser.get());
    }

    /** The restorer called {@code model}, its networks read into {@code manager} (whose device runs them). */
    @Override
    public FaceRestorer open(String model, NDManager manager) {
        return FacexlibRestorer.open(model, files(model), manager);
    }

    /** The network file of {@code model} in the folders: A1111's pick, the first in path order its restorer accepts. */
    public Optional<Path> network(String model) {
        Restorer restorer = Restorer.of(model);
        return list(restorer.folder()).filter(f -> restorer.accepts(f.getFileName().toString())).findFirst();
    }

    /** facexlib's {@code fileName} (or its .safetensors copy) in the folders. */
    public Optional<Path> helper(String fileName) {
        return list(FaceRestoration.HELPER_FILES_HOME.folder())
                .filter(f -> FaceRestoration.isHelperFile(f.getFileName().toString(), fileName)).findFirst();
    }

    private Stream<Path> list(String folder) {
        if (modelsRoot.isEmpty() || !Files.isDirectory(modelsRoot.get().resolve(folder))) {
            return Stream.empty();
        }
        try (Stream<Path> walk = Files.walk(modelsRoot.get().resolve(folder))) {
            return walk.filter(Files::isRegularFile).sorted().toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + modelsRoot.get().resolve(folder), e);
        }
    }
}

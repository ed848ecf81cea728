package io.sdfleet.diffusion.upscale;

import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.request.UpscalerNames;
import io.sdfleet.request.UpscalerNames.Family;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The upscalers a generation can name (A1111's {@code shared.sd_upscalers}): the built-ins, and the model files in
 * A1111's folders {@code models/ESRGAN} and {@code models/RealESRGAN} (sub-folders too), named by the rules of
 * {@link UpscalerNames}, plus any file given by name (what a worker pulled for the job). A model is read when it is
 * opened, its weights in fp32 in the manager it is opened in. A name whose file is missing is an error naming the
 * file: a request must not silently get another upscaler (A1111 refuses an unknown {@code hr_upscaler} too).
 */
public final class UpscalerLibrary {

    /** An upscaler named whose model file is not here. */
    public static final class MissingUpscalerException extends IllegalArgumentException {
        public MissingUpscalerException(String message) {
            super(message);
        }
    }

    private final Map<Family, Optional<Path>> folders;
    private final Map<String, Path> given;
    private final int tileSize;
    private final int tileOverlap;

    private UpscalerLibrary(Map<Family, Optional<Path>> folders, Map<String, Path> given, int tileSize, int tileOverlap) {
        this.folders = folders;
        this.given = given;
        this.tileSize = tileSize;
        this.tileOverlap = tileOverlap;
    }

    /** The folders each family is read from (empty: none), with A1111's default tiling (192, overlap 8). */
    public UpscalerLibrary(Optional<Path> esrgan, Optional<Path> realEsrgan) {
        this(Map.of(Family.ESRGAN, esrgan, Family.REAL_ESRGAN, realEsrgan), Map.of(), ModelUpscaler.DEFAULT_TILE,
                ModelUpscaler.DEFAULT_TILE_OVERLAP);
    }

    /** The built-ins only. */
    public static UpscalerLibrary none() {
        return new UpscalerLibrary(Optional.empty(), Optional.empty());
    }

    /** A1111's layout under one models root: {@code ESRGAN/} and {@code RealESRGAN/}. */
    public static UpscalerLibrary under(Path modelsRoot) {
        return new UpscalerLibrary(Optional.of(modelsRoot.resolve(Family.ESRGAN.folder())),
                Optional.of(modelsRoot.resolve(Family.REAL_ESRGAN.folder())));
    }

    /** This library, with {@code name} read from {@code file} whatever the folders hold. */
    public UpscalerLibrary withFile(String name, Path file) {
        Map<String, Path> more = new LinkedHashMap<>(given);
        more.put(name, file);
        return new UpscalerLibrary(folders, Map.copyOf(more), tileSize, tileOverlap);
    }

    /** A1111's {@code ESRGAN_tile} (0: no tiling) and {@code ESRGAN_tile_overlap}. */
    public UpscalerLibrary withTiling(int size, int overlap) {
        return new UpscalerLibrary(folders, given, size, overlap);
    }

    /** The folder a family is read from, if any. */
    public Optional<Path> folder(Family family) {
        return folders.get(family);
    }

    /**
     * The model file behind {@code name}; empty for the built-ins.
     *
     * @throws MissingUpscalerException when the name needs a file that is not here
     */
    public Optional<Path> file(String name) {
        Optional<UpscalerNames.ModelFile> needed = UpscalerNames.modelFile(name);
        if (needed.isEmpty()) {
            return Optional.empty();
        }
        Path file = given.containsKey(name.trim()) ? given.get(name.trim()) : models(needed.get().family()).get(name.trim());
        if (file == null) {
            Family family = needed.get().family();
            throw new MissingUpscalerException("upscaler '" + name.trim() + "' needs the file "
                    + needed.get().describe() + ", which is not in "
                    + folders.get(family).map(Path::toString).orElse("(no " + family.folder() + " folder configured)"));
        }
        return Optional.of(file);
    }

    /** Every model upscaler in the folders by name, each the first file in path order that gives that name. */
    public Map<String, Path> models(Family family) {
        Map<String, Path> byName = new TreeMap<>();
        Optional<Path> folder = folders.get(family);
        if (folder.isEmpty() || !Files.isDirectory(folder.get())) {
            return byName;
        }
        try (Stream<Path> walk = Files.walk(folder.get())) {
            walk.filter(Files::isRegularFile).sorted().forEach(file ->
                    UpscalerNames.nameOf(family, file.getFileName().toString())
                            .ifPresent(name -> byName.putIfAbsent(name, file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder.get(), e);
        }
        return byName;
    }

    /**
     * The upscaler called {@code name}: a built-in (any case), or its model read into {@code manager} (whose device
     * runs it).
     */
    public Upscaler open(String name, NDManager manager) {
        Optional<String> builtIn = UpscalerNames.builtIn(name);
        if (builtIn.isPresent()) {
            return switch (builtIn.get()) {
                case "Lanczos" -> Resizer.LANCZOS;
                case "Nearest" -> Resizer.NEAREST;
                default -> Resizer.NONE;
            };
        }
        Path file = file(name).orElseThrow(() -> new IllegalArgumentException("'" + name + "' is not an upscaler"));
        try (TensorSource source = CheckpointFiles.open(file)) {
            return new ModelUpscaler(name.trim(), RrdbNet.load(source, manager), manager, tileSize, tileOverlap);
        }
    }
}

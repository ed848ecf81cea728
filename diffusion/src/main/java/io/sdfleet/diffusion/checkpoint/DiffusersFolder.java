package io.sdfleet.diffusion.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A diffusers pipeline folder ({@code unet/}, {@code vae/}, {@code text_encoder/}) seen through the original
 * LDM key layout, so that model code reads one layout whatever the checkpoint's origin. Keys without an LDM
 * counterpart stay visible under {@code diffusers.<component>.<key>}, where the unexpected-key report names them.
 *
 * <p>The VAE mid-block attention stores its projections as Linear weights [C, C]; LDM uses 1x1 convolutions
 * [C, C, 1, 1]. Both hold the same bytes, so the view only changes the shape.
 */
final class DiffusersFolder implements TensorSource {

    private static final Pattern VAE_ATTENTION_WEIGHT =
            Pattern.compile(Pattern.quote(DiffusersKeys.VAE_PREFIX) + "(encoder|decoder)\\.mid\\.attn_1\\.(q|k|v|proj_out)\\.weight");

    private record Origin(TensorSource source, String key) {
    }

    private final Path folder;
    private final List<TensorSource> parts;
    private final Map<String, Origin> keys;

    private DiffusersFolder(Path folder, List<TensorSource> parts, Map<String, Origin> keys) {
        this.folder = folder;
        this.parts = parts;
        this.keys = keys;
    }

    /** True when {@code folder} looks like a diffusers pipeline (has a unet, vae or text_encoder weight file). */
    public static boolean looksLike(Path folder) {
        return Files.isDirectory(folder) && (findWeights(folder.resolve("unet"), "diffusion_pytorch_model") != null
                || findWeights(folder.resolve("vae"), "diffusion_pytorch_model") != null
                || findWeights(folder.resolve("text_encoder"), "model", "pytorch_model") != null);
    }

    public static DiffusersFolder open(Path folder) {
        List<TensorSource> parts = new ArrayList<>();
        Map<String, Origin> keys = new LinkedHashMap<>();
        try {
            add(parts, keys, findWeights(folder.resolve("unet"), "diffusion_pytorch_model"), "unet",
                    DiffusersKeys::unetRenames);
            add(parts, keys, findWeights(folder.resolve("vae"), "diffusion_pytorch_model"), "vae",
                    DiffusersKeys::vaeRenames);
            add(parts, keys, findWeights(folder.resolve("text_encoder"), "model", "pytorch_model"), "text_encoder",
                    DiffusersKeys::textEncoderRenames);
        } catch (RuntimeException e) {
            parts.forEach(TensorSource::close);
            throw e;
        }
        if (parts.isEmpty()) {
            throw new CheckpointException(folder + " has no unet/, vae/ or text_encoder/ weights");
        }
        return new DiffusersFolder(folder, List.copyOf(parts), Collections.unmodifiableMap(keys));
    }

    private static void add(List<TensorSource> parts, Map<String, Origin> keys, Path file, String component,
                            Function<Set<String>, Map<String, String>> renames) {
        if (file == null) {
            return;
        }
        TensorSource source = CheckpointFiles.openFile(file);
        parts.add(source);
        renames.apply(source.keys()).forEach((original, ldm) -> {
            String name = ldm != null ? ldm : "diffusers." + component + "." + original;
            Origin previous = keys.put(name, new Origin(source, original));
            if (previous != null) {
                throw new CheckpointException(file + ": " + original + " and " + previous.key()
                        + " both map to " + name);
            }
        });
    }

    /** The weight file of a component, safetensors preferred, full precision before the .fp16 variant. */
    private static Path findWeights(Path dir, String... stems) {
        for (String suffix : List.of(".safetensors", ".fp16.safetensors", ".bin", ".fp16.bin")) {
            for (String stem : stems) {
                Path p = dir.resolve(stem + suffix);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        for (String stem : stems) {
            if (Files.isRegularFile(dir.resolve(stem + ".safetensors.index.json"))
                    || Files.isRegularFile(dir.resolve(stem + ".bin.index.json"))) {
                throw new CheckpointException(dir + " holds a sharded " + stem + ", which is not supported");
            }
        }
        return null;
    }

    public Path folder() {
        return folder;
    }

    @Override
    public Set<String> keys() {
        return keys.keySet();
    }

    @Override
    public StoredTensor get(String key) {
        Origin origin = keys.get(key);
        if (origin == null) {
            throw new CheckpointException(folder.getFileName() + " (diffusers) has no tensor " + key);
        }
        StoredTensor t = origin.source().get(origin.key());
        long[] shape = t.shape();
        if (shape.length == 2 && VAE_ATTENTION_WEIGHT.matcher(key).matches()) {
            shape = new long[] {shape[0], shape[1], 1, 1};
        }
        return new StoredTensor(key, t.type(), shape, t.data());
    }

    @Override
    public void close() {
        parts.forEach(TensorSource::close);
    }
}

package io.sdfleet.diffusion.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A diffusers pipeline folder ({@code unet/}, {@code vae/}, {@code text_encoder/}, for SDXL also
 * {@code text_encoder_2/}) seen through the original single-file key layout, so that model code reads one layout
 * whatever the checkpoint's origin. Keys without a counterpart stay visible under
 * {@code diffusers.<component>.<key>}, where the unexpected-key report names them.
 *
 * <p>SDXL: a folder with {@code text_encoder_2/} is laid out as sgm's conditioner — CLIP-L under
 * {@code conditioner.embedders.0.transformer.}, the bigG tower (HF CLIPTextModelWithProjection) converted to the
 * open_clip layout under {@code conditioner.embedders.1.model.}, or {@code conditioner.embedders.0.model.} for
 * the refiner, which has no {@code text_encoder/} ({@link OpenClipDiffusersKeys}).
 *
 * <p>The VAE mid-block attention stores its projections as Linear weights [C, C]; LDM uses 1x1 convolutions
 * [C, C, 1, 1]. Both hold the same bytes, so the view only changes the shape.
 */
final class DiffusersFolder implements TensorSource {

    private static final Pattern VAE_ATTENTION_WEIGHT =
            Pattern.compile(Pattern.quote(DiffusersKeys.VAE_PREFIX) + "(encoder|decoder)\\.mid\\.attn_1\\.(q|k|v|proj_out)\\.weight");

    /** Where a tensor of the view comes from: one stored tensor, or several stacked on dim 0, or one transposed. */
    private record Origin(TensorSource source, List<String> parts, boolean transpose) {

        static Origin of(TensorSource source, String key) {
            return new Origin(source, List.of(key), false);
        }

        String describe() {
            return String.join(" + ", parts);
        }
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
                || findWeights(folder.resolve("text_encoder"), "model", "pytorch_model") != null
                || findWeights(folder.resolve("text_encoder_2"), "model", "pytorch_model") != null);
    }

    public static DiffusersFolder open(Path folder) {
        List<TensorSource> parts = new ArrayList<>();
        Map<String, Origin> keys = new LinkedHashMap<>();
        try {
            add(parts, keys, findWeights(folder.resolve("unet"), "diffusion_pytorch_model"), "unet",
                    DiffusersKeys::unetRenames);
            add(parts, keys, findWeights(folder.resolve("vae"), "diffusion_pytorch_model"), "vae",
                    DiffusersKeys::vaeRenames);
            Path clip = findWeights(folder.resolve("text_encoder"), "model", "pytorch_model");
            Path bigG = findWeights(folder.resolve("text_encoder_2"), "model", "pytorch_model");
            String clipPrefix = bigG == null ? DiffusersKeys.TEXT_ENCODER_PREFIX : SdxlKeys.CLIP_L;
            add(parts, keys, clip, "text_encoder",
                    k -> DiffusersKeys.textEncoderRenames(k, clipPrefix));
            addOpenClip(parts, keys, bigG, clip == null ? SdxlKeys.REFINER_BIG_G : SdxlKeys.BIG_G);
        } catch (RuntimeException e) {
            parts.forEach(TensorSource::close);
            throw e;
        }
        if (parts.isEmpty()) {
            throw new CheckpointException(folder + " has no unet/, vae/, text_encoder/ or text_encoder_2/ weights");
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
            put(keys, file, name, Origin.of(source, original));
        });
    }

    /** text_encoder_2 (HF CLIPTextModelWithProjection) in the open_clip layout under {@code prefix}. */
    private static void addOpenClip(List<TensorSource> parts, Map<String, Origin> keys, Path file, String prefix) {
        if (file == null) {
            return;
        }
        TensorSource source = CheckpointFiles.openFile(file);
        parts.add(source);
        Set<String> used = new HashSet<>(OpenClipDiffusersKeys.DROPPED);
        OpenClipDiffusersKeys.recipes(source.keys(), used).forEach((name, recipe) ->
                put(keys, file, prefix + name, new Origin(source, recipe.parts(), recipe.transpose())));
        for (String key : source.keys()) {
            if (!used.contains(key)) {
                put(keys, file, "diffusers.text_encoder_2." + key, Origin.of(source, key));
            }
        }
    }

    private static void put(Map<String, Origin> keys, Path file, String name, Origin origin) {
        Origin previous = keys.put(name, origin);
        if (previous != null) {
            throw new CheckpointException(file + ": " + origin.describe() + " and " + previous.describe()
                    + " both map to " + name);
        }
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
        StoredTensor t = read(key, origin);
        long[] shape = t.shape();
        if (shape.length == 2 && VAE_ATTENTION_WEIGHT.matcher(key).matches()) {
            shape = new long[] {shape[0], shape[1], 1, 1};
        }
        return new StoredTensor(key, t.type(), shape, t.data());
    }

    private static StoredTensor read(String key, Origin origin) {
        if (origin.parts().size() > 1) {
            return stacked(key, origin);
        }
        StoredTensor t = origin.source().get(origin.parts().get(0));
        return origin.transpose() ? transposed(key, t) : t;
    }

    /** The parts concatenated on dim 0 (open_clip's in_proj = [q; k; v]), copied into one buffer. */
    private static StoredTensor stacked(String key, Origin origin) {
        List<StoredTensor> tensors = origin.parts().stream().map(origin.source()::get).toList();
        StoredTensor first = tensors.get(0);
        long rows = 0;
        int bytes = 0;
        for (StoredTensor t : tensors) {
            if (t.type() != first.type() || t.shape().length != first.shape().length
                    || !Arrays.equals(t.shape(), 1, t.shape().length, first.shape(), 1, first.shape().length)) {
                throw new CheckpointException(key + ": " + origin.describe() + " do not stack");
            }
            rows += t.shape()[0];
            bytes += t.data().remaining();
        }
        ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        tensors.forEach(t -> out.put(t.data().duplicate()));
        long[] shape = first.shape().clone();
        shape[0] = rows;
        return new StoredTensor(key, first.type(), shape, out.flip());
    }

    /** A 2-D tensor transposed element by element (any element size), copied. */
    private static StoredTensor transposed(String key, StoredTensor t) {
        if (t.shape().length != 2) {
            throw new CheckpointException(key + ": only a matrix can be transposed, not " + Arrays.toString(t.shape()));
        }
        int rows = Math.toIntExact(t.shape()[0]);
        int cols = Math.toIntExact(t.shape()[1]);
        int size = t.type().bytes();
        ByteBuffer in = t.data().duplicate();
        ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                for (int b = 0; b < size; b++) {
                    out.put((c * rows + r) * size + b, in.get((r * cols + c) * size + b));
                }
            }
        }
        return new StoredTensor(key, t.type(), new long[] {cols, rows}, out);
    }

    @Override
    public void close() {
        parts.forEach(TensorSource::close);
    }
}

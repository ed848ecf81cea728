package io.sdfleet.gateway.a1111;

import io.sdfleet.diffusion.checkpoint.ModelHash;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.gateway.models.ModelRegistry;
import io.sdfleet.request.ModelArchitecture;
import io.sdfleet.request.UpscalerNames;
import io.sdfleet.storageclient.RegisteredModel;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The models the fleet serves: the fleet's model registry (files uploaded to the models bucket, with A1111's
 * hashes) plus the files in the local models folder (A1111's layout: checkpoints at the top, {@code VAE/},
 * {@code Lora/}, {@code embeddings/}, {@code hypernetworks/}, and the upscaler and face-restoration folders
 * {@code ESRGAN/}, {@code RealESRGAN/}, {@code Codeformer/}, {@code GFPGAN/}). A registered file wins over a local one of the same
 * name; with an empty registry this is exactly the local folder, so local mode without uploads works as before.
 */
@Component
public class ModelCatalog {

    /**
     * One model as listed: registry entries carry their hashes; local checkpoints get theirs once hashed (computed
     * once per file version, see {@link #checkpointsHashed()}); other local files have a path and null hashes.
     */
    public record Model(String kind, String name, String sha256, String modelHash, Path localPath) {

        Model withSha256(String sha) {
            return new Model(kind, name, sha, sha.substring(0, ModelHash.SHORT_LENGTH), localPath);
        }

        public String stem() {
            return RegisteredModel.stem(name);
        }

        /** A1111's checkpoint title: {@code name.safetensors [shorthash]}, just the name while the hash is unknown. */
        public String title() {
            return modelHash == null ? name : name + " [" + modelHash + "]";
        }

        /** Where the file is: its local path, or the registry's name for it. */
        public String filename() {
            return localPath != null ? localPath.toAbsolutePath().toString() : "sdfleet-models/" + kind + "/" + name;
        }
    }

    private static final Map<String, List<String>> EXTENSIONS = Map.of(
            "checkpoint", List.of(".safetensors", ".ckpt"),
            "vae", List.of(".safetensors", ".ckpt", ".pt"),
            "lora", List.of(".safetensors", ".pt", ".ckpt"),
            "embedding", List.of(".safetensors", ".pt", ".bin"),
            "hypernetwork", List.of(".pt"),
            "esrgan", UpscalerNames.Family.ESRGAN.extensions(),
            "realesrgan", UpscalerNames.Family.REAL_ESRGAN.extensions(),
            "codeformer", List.of(".pth", ".safetensors"),
            "gfpgan", List.of(".pth", ".safetensors"));
    private static final Map<String, String> FOLDERS = Map.of(
            "checkpoint", "", "vae", "VAE", "lora", "Lora", "embedding", "embeddings", "hypernetwork", "hypernetworks",
            "esrgan", UpscalerNames.Family.ESRGAN.folder(), "realesrgan", UpscalerNames.Family.REAL_ESRGAN.folder(),
            "codeformer", "Codeformer", "gfpgan", "GFPGAN");

    /** How long a listing waits for local checkpoints being hashed before answering without their hashes. */
    static final Duration HASH_WAIT = Duration.ofSeconds(30);

    private final Path dir;
    private final String defaultModel;
    private final ModelRegistry registry;
    private final CheckpointArchitectures architectures;
    /** sha256 of local files by path|size|mtime: each file version is hashed once, off the request threads. */
    private final Map<String, CompletableFuture<String>> hashes = new ConcurrentHashMap<>();
    private final Executor hasher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sdfleet-model-hasher");
        t.setDaemon(true);
        return t;
    });

    /** The local models folder only (no registry). */
    public ModelCatalog(GatewayProperties properties) {
        this(properties, ModelRegistry.none(JsonMapper.builder().build()));
    }

    @Autowired
    public ModelCatalog(GatewayProperties properties, ModelRegistry registry) {
        this.dir = properties.modelsDir();
        this.defaultModel = properties.defaultModel() == null || properties.defaultModel().isBlank()
                ? null : properties.defaultModel();
        this.registry = registry;
        this.architectures = new CheckpointArchitectures(registry);
    }

    /**
     * The model a request that names none gets: the configured default, else the first checkpoint found (by name,
     * the registry's and the local folder's together), as A1111 loads the first one it finds; null when there is none.
     */
    public String defaultModel() {
        if (defaultModel != null) {
            return defaultModel;
        }
        List<Model> checkpoints = checkpoints();
        return checkpoints.isEmpty() ? null : checkpoints.getFirst().name();
    }

    /** Forgets the remembered registry listing ({@code POST /sdapi/v1/refresh-checkpoints}). */
    public void refresh() {
        registry.refresh();
    }

    /**
     * Every model of a kind (checkpoint, vae, lora, embedding, hypernetwork, esrgan, realesrgan, codeformer,
     * gfpgan), registry first, sorted by name.
     */
    public List<Model> of(String kind) {
        Map<String, Model> byName = new LinkedHashMap<>();
        for (RegisteredModel e : registry.ofKind(kind)) {
            byName.putIfAbsent(e.name(), new Model(kind, e.name(), e.sha256(), e.modelHash(), null));
        }
        for (Path p : local(kind)) {
            Model local = new Model(kind, p.getFileName().toString(), null, null, p);
            if (kind.equals("checkpoint")) {
                var hashing = hashOf(p);
                String known = hashing.isDone() && !hashing.isCompletedExceptionally() ? hashing.join() : null;
                local = known == null ? local : local.withSha256(known);
            }
            byName.putIfAbsent(p.getFileName().toString(), local);
        }
        List<Model> out = new ArrayList<>(byName.values());
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    public List<Model> checkpoints() {
        return of("checkpoint");
    }

    /**
     * The checkpoints with the sha256 of local files too (A1111's {@code [shorthash]} title): each local file version
     * (path, size, modification time) is hashed once, on a background thread; this waits for those not hashed yet up
     * to {@link #HASH_WAIT} in all, and lists any still running without hashes (as A1111 lists unhashed files).
     */
    public List<Model> checkpointsHashed() {
        long deadline = System.nanoTime() + HASH_WAIT.toNanos();
        for (Path p : local("checkpoint")) {
            try {
                hashOf(p).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // still hashing (listed without a hash this time) or unreadable (never hashed)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return of("checkpoint");
    }

    /** The file's sha256, started on the hashing thread the first time this version of the file is asked for. */
    private CompletableFuture<String> hashOf(Path file) {
        String key;
        try {
            key = file.toAbsolutePath().normalize() + "|" + Files.size(file) + "|" + Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return hashes.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(
                () -> ModelHash.computeSha256(file), hasher));
    }

    public List<Model> vaeModels() {
        return of("vae");
    }

    /** Local checkpoint files (the models folder's top level). */
    public List<Path> all() {
        return local("checkpoint");
    }

    /** Local VAE files in the models folder's {@code VAE/} (A1111's models/VAE), by file name. */
    public List<Path> vaes() {
        return local("vae");
    }

    private List<Path> local(String kind) {
        if (dir == null) {
            return List.of();
        }
        Path folder = FOLDERS.get(kind).isEmpty() ? dir : dir.resolve(FOLDERS.get(kind));
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<String> extensions = EXTENSIONS.get(kind);
        try (Stream<Path> files = kind.equals("checkpoint") || kind.equals("vae") ? Files.list(folder) : Files.walk(folder)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                return extensions.stream().anyMatch(n::endsWith);
            }).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** A listed checkpoint's family, from its keys (see {@link CheckpointArchitectures}; remembered per file version). */
    public ModelArchitecture architectureOf(Model checkpoint) {
        return architectures.of(checkpoint);
    }

    /**
     * The family of a checkpoint by its catalog name ({@link #resolve} answers those); SD 1.x for a name the catalog
     * does not list (the worker's own default, say), judged by the name itself.
     */
    public ModelArchitecture architectureOf(String checkpointName) {
        if (checkpointName == null) {
            return ModelArchitecture.SD1;
        }
        for (Model m : checkpoints()) {
            if (m.name().equals(checkpointName)) {
                return architectureOf(m);
            }
        }
        return ModelArchitecture.ofName(checkpointName);
    }

    /** A VAE by file name (with or without extension); A1111's "Automatic" and "None" mean the checkpoint's own. */
    public Optional<String> resolveVae(String requested) {
        String name = requested.trim();
        for (Model m : vaeModels()) {
            if (m.name().equals(name) || m.stem().equals(name)) {
                return Optional.of(m.name());
            }
        }
        return Optional.empty();
    }

    /**
     * A1111 clients send "name", "name.safetensors", the title "name.safetensors [hash]" or the short hash alone
     * (registered models, and local ones once hashed).
     */
    public Optional<String> resolve(String requested) {
        String trimmed = requested.trim();
        String name = trimmed.replaceAll("\\s*\\[[0-9a-fA-F]+\\]$", "").trim();
        List<Model> checkpoints = checkpoints();
        for (Model m : checkpoints) {
            if (m.name().equals(name) || m.stem().equals(name)) {
                return Optional.of(m.name());
            }
        }
        for (Model m : checkpoints) {
            if (m.modelHash() != null && m.modelHash().equalsIgnoreCase(trimmed)) {
                return Optional.of(m.name());
            }
        }
        return Optional.empty();
    }
}

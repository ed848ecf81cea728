package io.sdfleet.worker.models;

import io.sdfleet.diffusion.checkpoint.ModelHash;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.storageclient.RegisteredModel;
import io.sdfleet.storageclient.StorageServiceClient;
import io.sdfleet.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Models this worker's local folder lacks, pulled on demand from the fleet's registry (storage-service) into a
 * bounded cache directory ({@code <cache>/<kind>/<sha256>/<name>}). A download streams to a temporary file while it
 * is hashed and is kept only when its sha256 is the one the registry holds; a cached file is re-hashed (once per
 * process) and compared again before it is used. Beyond the size limit the least recently used files go, never one
 * the current job uses or a loaded model came from. Registry calls carry the fleet's internal credential.
 */
@Component
public class ModelPuller {

    private static final Logger log = LoggerFactory.getLogger(ModelPuller.class);
    private static final long LIST_TTL_NANOS = Duration.ofSeconds(10).toNanos();
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(30);
    private static final String MODELS = "/internal/models";

    /** A downloaded or cached file whose sha256 is not the registry's: it is refused and removed. */
    public static class IntegrityException extends RuntimeException {
        public IntegrityException(String message) {
            super(message);
        }
    }

    private final StorageServiceClient storage;
    private final JsonMapper json;
    private final Path dir;
    private final long maxBytes;
    /** Cached files, least recently used first, with their sizes. */
    private final LinkedHashMap<Path, Long> lru = new LinkedHashMap<>(16, 0.75f, true);
    /** Files the current job needs (kept from eviction until the next job begins). */
    private final Set<Path> pinned = new HashSet<>();
    private volatile Supplier<Set<Path>> inUse = Set::of;
    private volatile List<RegisteredModel> listed;
    private volatile long listedAt;

    @Autowired
    public ModelPuller(WorkerProperties properties, JsonMapper json, StorageServiceClient storage) {
        this(storage, properties.modelCacheDir(), properties.modelCacheMaxSize().toBytes(), json);
    }

    public ModelPuller(String storageUrl, InternalCredential credential, Path cacheDir, long maxBytes, JsonMapper json) {
        this(new StorageServiceClient(storageUrl, credential), cacheDir, maxBytes, json);
    }

    private ModelPuller(StorageServiceClient storage, Path cacheDir, long maxBytes, JsonMapper json) {
        this.storage = storage;
        this.json = json;
        this.dir = cacheDir.toAbsolutePath().normalize();
        this.maxBytes = maxBytes;
        scan();
    }

    /** Files that must not be evicted because a loaded model may still read them. */
    public void protect(Supplier<Set<Path>> loadedFiles) {
        this.inUse = loadedFiles;
    }

    /** A new job: what the last one pinned may be evicted again. */
    public synchronized void beginJob() {
        pinned.clear();
    }

    /** The registry entry of {@code kind} called {@code name} (with or without extension), if any. */
    public Optional<RegisteredModel> find(String kind, String name) {
        Optional<RegisteredModel> found = find(list(kind), name);
        if (found.isEmpty()) {
            listed = null; // uploaded since the listing was remembered?
            found = find(list(kind), name);
        }
        return found;
    }

    private static Optional<RegisteredModel> find(List<RegisteredModel> entries, String name) {
        for (RegisteredModel e : entries) {
            if (e.name().equals(name)) {
                return Optional.of(e);
            }
        }
        return entries.stream().filter(e -> e.stem().equals(name)).findFirst();
    }

    /** Every registry entry of a kind (remembered a few seconds). */
    public List<RegisteredModel> list(String kind) {
        return all().stream().filter(e -> e.kind().equals(kind)).toList();
    }

    private List<RegisteredModel> all() {
        List<RegisteredModel> entries = listed;
        if (entries != null && System.nanoTime() - listedAt < LIST_TTL_NANOS) {
            return entries;
        }
        if (!storage.configured()) {
            return List.of();
        }
        try {
            Optional<List<RegisteredModel>> fetched = StorageServiceClient.exchange(
                    storage.call(HttpMethod.GET, MODELS, LIST_TIMEOUT), (request, response) -> {
                        if (response.getStatusCode().value() != 200) {
                            // Without a registry the worker still serves its local models; a job that needs a
                            // remote one then fails naming the model it could not find.
                            log.warn("model registry at {} answered {}; using local models only",
                                    storage.uri(""), response.getStatusCode().value());
                            return Optional.empty();
                        }
                        return Optional.of(RegisteredModel.listed(json.readTree(response.getBody())));
                    });
            if (fetched.isEmpty()) {
                return List.of();
            }
            listed = fetched.get();
            listedAt = System.nanoTime();
            return listed;
        } catch (IOException e) {
            log.warn("model registry unreachable at {}: {}", storage.uri(""), e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The entry's file in the cache, downloaded first when missing; verified against the registry's sha256. */
    public synchronized Path pull(RegisteredModel entry) {
        if (!entry.sha256().matches("[0-9a-f]{64}") || entry.name().contains("/") || entry.name().contains("\\")
                || entry.name().startsWith(".") || !entry.kind().matches("[a-z]+")) {
            throw new IllegalArgumentException("registry entry not usable: " + entry);
        }
        Path target = dir.resolve(entry.kind()).resolve(entry.sha256()).resolve(entry.name()).normalize();
        if (!target.startsWith(dir)) {
            throw new IllegalArgumentException("registry entry not usable: " + entry);
        }
        if (Files.isRegularFile(target)) {
            String actual = ModelHash.sha256(target);
            if (actual.equals(entry.sha256())) {
                lru.get(target); // most recently used now
                lru.putIfAbsent(target, entry.sizeBytes());
                pinned.add(target);
                return target;
            }
            log.warn("cached {} hashes to {}, registry says {}: downloading it again", target, actual, entry.sha256());
            remove(target);
        }
        if (entry.sizeBytes() > maxBytes) {
            throw new IllegalStateException(entry.kind() + " '" + entry.name() + "' (" + entry.sizeBytes()
                    + " bytes) is larger than the whole model cache (" + maxBytes + " bytes)");
        }
        makeRoom(entry.sizeBytes());
        download(entry, target);
        lru.put(target, entry.sizeBytes());
        pinned.add(target);
        return target;
    }

    private void download(RegisteredModel entry, Path target) {
        Path partial = dir.resolve(".partial").resolve(UUID.randomUUID() + ".part");
        try {
            Files.createDirectories(partial.getParent());
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            StorageServiceClient.exchange(
                    storage.call(HttpMethod.GET, MODELS + "/" + entry.sha256() + "/content", null),
                    (request, response) -> {
                        try (InputStream in = new DigestInputStream(response.getBody(), digest)) {
                            if (response.getStatusCode().value() != 200) {
                                throw new IllegalStateException("storage answered " + response.getStatusCode().value()
                                        + " for " + entry.kind() + " '" + entry.name() + "'");
                            }
                            try (OutputStream out = Files.newOutputStream(partial)) {
                                return in.transferTo(out);
                            }
                        }
                    });
            String actual = HexFormat.of().formatHex(digest.digest());
            if (!actual.equals(entry.sha256())) {
                throw new IntegrityException(entry.kind() + " '" + entry.name() + "' refused: downloaded bytes hash to sha256 "
                        + actual + " but the registry says " + entry.sha256());
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            }
            log.info("pulled {} '{}' ({} bytes, sha256 {}) into {}", entry.kind(), entry.name(), entry.sizeBytes(),
                    entry.sha256(), target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pull " + entry.kind() + " '" + entry.name() + "': " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pulling " + entry.name(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // a leftover .part file is harmless and is cleared on the next start
            }
        }
    }

    /** Evicts least recently used files until {@code incoming} more bytes fit, skipping files in use. */
    private void makeRoom(long incoming) {
        long used = lru.values().stream().mapToLong(Long::longValue).sum();
        Set<Path> keep = new HashSet<>(pinned);
        keep.addAll(inUse.get());
        for (Path candidate : new ArrayList<>(lru.keySet())) {
            if (used + incoming <= maxBytes) {
                break;
            }
            if (keep.contains(candidate)) {
                continue;
            }
            used -= lru.get(candidate);
            log.info("evicting {} from the model cache", candidate);
            remove(candidate);
        }
        if (used + incoming > maxBytes) {
            log.warn("model cache over its limit ({} + {} > {} bytes): the rest is in use", used, incoming, maxBytes);
        }
    }

    private void remove(Path file) {
        lru.remove(file);
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent()); // the sha256 folder, when empty
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", file, e.getMessage());
        }
    }

    /** Cached files so far (oldest modification first, as the LRU's starting order); stale partial downloads go. */
    private void scan() {
        if (!Files.isDirectory(dir)) {
            return; // created by the first pull
        }
        try {
            Path partials = dir.resolve(".partial");
            if (Files.isDirectory(partials)) {
                try (Stream<Path> files = Files.list(partials)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            Path views = dir.resolve(".view"); // per-job link folders a crash left behind
            if (Files.isDirectory(views)) {
                try (Stream<Path> links = Files.walk(views)) {
                    for (Path p : links.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            try (Stream<Path> files = Files.walk(dir, 3)) {
                files.filter(p -> !dir.relativize(p).toString().startsWith("."))
                        .filter(Files::isRegularFile).filter(p -> dir.relativize(p).getNameCount() == 3)
                        .sorted(Comparator.comparing(ModelPuller::modified))
                        .forEach(p -> lru.put(p, size(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use model cache " + dir, e);
        }
    }

    /** Bytes the cache holds now. */
    public synchronized long usedBytes() {
        return lru.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized List<Path> cachedFiles() {
        return List.copyOf(lru.keySet());
    }

    public Path directory() {
        return dir;
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

}

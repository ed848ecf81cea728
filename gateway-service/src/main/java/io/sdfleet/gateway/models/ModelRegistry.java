package io.sdfleet.gateway.models;

import io.sdfleet.storageclient.RegisteredModel;
import io.sdfleet.storageclient.StorageServiceClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The fleet's model registry as storage-service keeps it ({@code /internal/models}). Listings are remembered for a
 * few seconds (A1111 clients poll /sd-models often); an upload, a delete or {@code refresh-checkpoints} forgets
 * them at once. When storage cannot be reached the registry reads as empty, so the local models folder still serves.
 * Every call carries the fleet's internal credential.
 */
@Component
public class ModelRegistry {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);
    private static final long TTL_NANOS = Duration.ofSeconds(10).toNanos();
    private static final Duration LIST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final StorageServiceClient storage;
    private final JsonMapper json;
    private volatile List<RegisteredModel> cached;
    private volatile long cachedAt;

    @Autowired
    public ModelRegistry(StorageServiceClient storage, JsonMapper json) {
        this.storage = storage;
        this.json = json;
    }

    /** A registry that is always empty (tests, or a gateway without storage). */
    public static ModelRegistry none(JsonMapper json) {
        return new ModelRegistry(new StorageServiceClient(null, null), json);
    }

    public List<RegisteredModel> all() {
        List<RegisteredModel> entries = cached;
        if (entries != null && System.nanoTime() - cachedAt < TTL_NANOS) {
            return entries;
        }
        entries = fetch();
        cached = entries;
        cachedAt = System.nanoTime();
        return entries;
    }

    public List<RegisteredModel> ofKind(String kind) {
        return all().stream().filter(e -> e.kind().equals(kind)).toList();
    }

    public void refresh() {
        cached = null;
    }

    private List<RegisteredModel> fetch() {
        if (!storage.configured()) {
            return List.of();
        }
        try {
            return StorageServiceClient.exchange(storage.call(HttpMethod.GET, "/internal/models", LIST_TIMEOUT),
                    (request, response) -> {
                        if (response.getStatusCode().value() != 200) {
                            log.warn("model registry answered {}; listing local models only",
                                    response.getStatusCode().value());
                            return List.of();
                        }
                        return RegisteredModel.listed(json.readTree(response.getBody()));
                    });
        } catch (IOException e) {
            log.warn("model registry unreachable ({}); listing local models only", e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Streams an upload through to storage-service and answers what it answered (status and JSON body). */
    public StorageAnswer upload(String kind, String name, InputStream body, long length, String uploadedBy)
            throws IOException, InterruptedException {
        String query = "?kind=" + enc(kind) + "&name=" + enc(name) + (uploadedBy == null ? "" : "&uploadedBy=" + enc(uploadedBy));
        try {
            return StorageServiceClient.exchange(storage.call(HttpMethod.POST, "/internal/models" + query, null)
                    .headers(headers -> {
                        headers.setContentType(MediaType.APPLICATION_OCTET_STREAM);
                        if (length >= 0) {
                            headers.setContentLength(length);
                        }
                    })
                    .body(out -> body.transferTo(out)), (request, response) -> StorageAnswer.of(response));
        } finally {
            refresh();
        }
    }

    /**
     * A registered file's bytes (small files only: the gateway reads embeddings' shapes), or empty when storage has
     * no such file, answers otherwise, or the file is larger than {@code maxBytes}.
     */
    public Optional<byte[]> download(String sha256, long maxBytes) throws IOException, InterruptedException {
        return readHead(sha256, in -> in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1)))
                .filter(bytes -> bytes.length <= maxBytes);
    }

    /** Reads the start of a stream and answers what it found (may throw on what it cannot read). */
    @FunctionalInterface
    public interface HeadReader<T> {
        T read(InputStream start) throws IOException;
    }

    /**
     * What {@code reader} makes of the start of a registered file (a checkpoint's header), reading no further than
     * it does: the rest of the body is never fetched, the response is closed. Empty when storage has no such file or
     * cannot be asked.
     */
    public <T> Optional<T> readHead(String sha256, HeadReader<T> reader) throws IOException, InterruptedException {
        if (!storage.configured()) {
            return Optional.empty();
        }
        return StorageServiceClient.exchange(
                storage.call(HttpMethod.GET, "/internal/models/" + enc(sha256) + "/content", CALL_TIMEOUT),
                (request, response) -> {
                    try (InputStream in = response.getBody()) {
                        if (response.getStatusCode().value() != 200) {
                            return Optional.empty();
                        }
                        return Optional.of(reader.read(in));
                    }
                });
    }

    /** storage-service's answer to a read or delete under /internal/models. */
    public StorageAnswer call(HttpMethod method, String pathAndQuery) throws IOException, InterruptedException {
        try {
            return StorageServiceClient.exchange(storage.call(method, "/internal/models" + pathAndQuery, CALL_TIMEOUT),
                    (request, response) -> StorageAnswer.of(response));
        } finally {
            if (!method.equals(HttpMethod.GET)) {
                refresh();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

package io.sdfleet.gateway.models;

import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.internal.InternalCredential;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
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

    /** One registered file, as storage-service describes it. */
    public record Entry(String kind, String name, String sha256, String modelHash, String legacyHash, long sizeBytes) {

        /** The file name without its extension, as A1111 names networks and models. */
        public String stem() {
            int dot = name.lastIndexOf('.');
            return dot > 0 ? name.substring(0, dot) : name;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final JsonMapper json;
    private final InternalCredential credential;
    private volatile List<Entry> cached;
    private volatile long cachedAt;

    @Autowired
    public ModelRegistry(GatewayProperties properties, JsonMapper json, InternalCredential credential) {
        this.credential = credential;
        this.base = properties.storageUrl() == null ? null : properties.storageUrl().replaceAll("/+$", "");
        this.json = json;
    }

    /** A registry that is always empty (tests, or a gateway without storage). */
    public static ModelRegistry none(JsonMapper json) {
        return new ModelRegistry(new GatewayProperties(null, null, null, 60), json, null);
    }

    public List<Entry> all() {
        List<Entry> entries = cached;
        if (entries != null && System.nanoTime() - cachedAt < TTL_NANOS) {
            return entries;
        }
        entries = fetch();
        cached = entries;
        cachedAt = System.nanoTime();
        return entries;
    }

    public List<Entry> ofKind(String kind) {
        return all().stream().filter(e -> e.kind().equals(kind)).toList();
    }

    public void refresh() {
        cached = null;
    }

    private List<Entry> fetch() {
        if (base == null) {
            return List.of();
        }
        try {
            HttpResponse<String> response = http.send(credential.sign(HttpRequest.newBuilder(URI.create(base + "/internal/models")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                log.warn("model registry answered {}; listing local models only", response.statusCode());
                return List.of();
            }
            List<Entry> out = new ArrayList<>();
            for (JsonNode n : json.readTree(response.body())) {
                out.add(new Entry(n.path("kind").asString(), n.path("name").asString(), n.path("sha256").asString(),
                        n.path("modelHash").asString(), n.path("legacyHash").asString(), n.path("sizeBytes").asLong()));
            }
            return List.copyOf(out);
        } catch (IOException e) {
            log.warn("model registry unreachable ({}); listing local models only", e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    /** Streams an upload through to storage-service and answers what it answered (status and JSON body). */
    public HttpResponse<String> upload(String kind, String name, InputStream body, long length, String uploadedBy)
            throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.ofInputStream(() -> body);
        if (length >= 0) {
            publisher = HttpRequest.BodyPublishers.fromPublisher(publisher, length);
        }
        String query = "?kind=" + enc(kind) + "&name=" + enc(name) + (uploadedBy == null ? "" : "&uploadedBy=" + enc(uploadedBy));
        try {
            return http.send(credential.sign(HttpRequest.newBuilder(URI.create(base + "/internal/models" + query)))
                    .header("Content-Type", "application/octet-stream")
                    .POST(publisher).build(), HttpResponse.BodyHandlers.ofString());
        } finally {
            refresh();
        }
    }

    /**
     * A registered file's bytes (small files only: the gateway reads embeddings' shapes), or empty when storage has
     * no such file, answers otherwise, or the file is larger than {@code maxBytes}.
     */
    public Optional<byte[]> download(String sha256, long maxBytes) throws IOException, InterruptedException {
        if (base == null) {
            return Optional.empty();
        }
        HttpResponse<InputStream> response = http.send(credential.sign(HttpRequest.newBuilder(
                        URI.create(base + "/internal/models/" + enc(sha256) + "/content")))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            return bytes.length > maxBytes ? Optional.empty() : Optional.of(bytes);
        }
    }

    /** storage-service's answer to a read or delete under /internal/models. */
    public HttpResponse<String> call(String method, String pathAndQuery) throws IOException, InterruptedException {
        try {
            return http.send(credential.sign(HttpRequest.newBuilder(URI.create(base + "/internal/models" + pathAndQuery)))
                    .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            if (!method.equals("GET")) {
                refresh();
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

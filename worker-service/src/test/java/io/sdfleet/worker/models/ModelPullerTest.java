package io.sdfleet.worker.models;

import com.sun.net.httpserver.HttpServer;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.storageclient.RegisteredModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The model cache against a small real HTTP server speaking storage-service's /internal/models protocol (and, like
 * storage-service, answering 401 to calls without the fleet's internal credential).
 */
class ModelPullerTest {

    @TempDir
    Path cache;
    private HttpServer server;
    /** What the registry lists (name to bytes) and, separately, what the content endpoint serves. */
    private final Map<String, byte[]> registered = new LinkedHashMap<>();
    private final Map<String, byte[]> served = new LinkedHashMap<>();
    private final InternalCredential credential = InternalCredential.of(InternalCredential.generate());

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/internal/models", exchange -> {
            String path = exchange.getRequestURI().getPath();
            if (!credential.isPresentedBy(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.sendResponseHeaders(401, -1);
                exchange.close();
                return;
            }
            byte[] body;
            if (path.equals("/internal/models")) {
                StringBuilder json = new StringBuilder("[");
                for (var e : registered.entrySet()) {
                    json.append(json.length() > 1 ? "," : "").append("{\"kind\":\"lora\",\"name\":\"").append(e.getKey())
                            .append("\",\"sha256\":\"").append(sha(e.getValue())).append("\",\"sizeBytes\":")
                            .append(e.getValue().length).append('}');
                }
                body = json.append(']').toString().getBytes(StandardCharsets.UTF_8);
            } else {
                String sha = path.split("/")[3];
                body = registered.entrySet().stream().filter(e -> sha(e.getValue()).equals(sha))
                        .map(e -> served.getOrDefault(e.getKey(), e.getValue())).findFirst().orElse(null);
                if (body == null) {
                    exchange.sendResponseHeaders(404, -1);
                    exchange.close();
                    return;
                }
            }
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ModelPuller puller(long maxBytes) {
        return new ModelPuller("http://127.0.0.1:" + server.getAddress().getPort(), credential, cache, maxBytes,
                JsonMapper.builder().build());
    }

    @Test
    void pullsVerifiedFilesAndEvictsTheLeastRecentlyUsedBeyondTheLimit() {
        registered.put("a.safetensors", bytes('a', 100));
        registered.put("b.safetensors", bytes('b', 100));
        registered.put("c.safetensors", bytes('c', 100));
        ModelPuller puller = puller(250);

        Path a = puller.pull(puller.find("lora", "a").orElseThrow());
        Path b = puller.pull(puller.find("lora", "b.safetensors").orElseThrow());
        assertThat(a).hasBinaryContent(bytes('a', 100));
        assertThat(a).isEqualTo(cache.resolve("lora").resolve(sha(bytes('a', 100))).resolve("a.safetensors"));
        puller.beginJob();
        puller.pull(puller.find("lora", "a").orElseThrow()); // a is used again: b is now the oldest
        puller.beginJob();
        Path c = puller.pull(puller.find("lora", "c").orElseThrow());

        assertThat(c).exists();
        assertThat(a).exists();
        assertThat(b).as("least recently used, evicted").doesNotExist();
        assertThat(puller.usedBytes()).isEqualTo(200);
        assertThat(puller(250).cachedFiles()).as("a restart finds the cache").hasSize(2);
    }

    @Test
    void filesInUseAreNotEvicted() {
        registered.put("a.safetensors", bytes('a', 100));
        registered.put("b.safetensors", bytes('b', 100));
        ModelPuller puller = puller(150);
        Path a = puller.pull(puller.find("lora", "a").orElseThrow());
        puller.beginJob();
        puller.protect(() -> Set.of(a)); // a loaded model came from it
        Path b = puller.pull(puller.find("lora", "b").orElseThrow());
        assertThat(a).exists();
        assertThat(b).exists();
    }

    @Test
    void refusesBytesThatDoNotHashToTheRegistrysSha256() throws Exception {
        registered.put("x.safetensors", bytes('x', 100));
        served.put("x.safetensors", bytes('y', 100));
        ModelPuller puller = puller(1000);
        RegisteredModel entry = puller.find("lora", "x").orElseThrow();

        assertThatThrownBy(() -> puller.pull(entry)).isInstanceOf(ModelPuller.IntegrityException.class)
                .hasMessageContaining(sha(bytes('x', 100))).hasMessageContaining(sha(bytes('y', 100)));
        try (Stream<Path> files = Files.walk(cache)) {
            assertThat(files.filter(Files::isRegularFile).toList()).as("nothing unverified is kept").isEmpty();
        }

        // a cached file changed on disk is noticed before use and fetched again
        served.remove("x.safetensors");
        Path good = puller.pull(entry);
        ModelPuller fresh = puller(1000);
        Files.write(good, bytes('z', 100));
        assertThat(fresh.pull(entry)).hasBinaryContent(bytes('x', 100));
    }

    @Test
    void findsNetworkNamesInPrompts() {
        assertThat(NetworkView.names(Pattern.compile("<lora:([^:>]+)"),
                List.of("a <lora:one:0.5> b <lora:two> <lora:one:1>", "<lora:three:1:0.5>")))
                .containsExactly("one", "two", "three");
    }

    private static byte[] bytes(char c, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) c);
        return out;
    }

    private static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

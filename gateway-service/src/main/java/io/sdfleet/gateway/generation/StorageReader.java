package io.sdfleet.gateway.generation;

import io.sdfleet.storageclient.StorageServiceClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;

/** Reads a request's stored images from storage-service (signed with the fleet's internal credential). */
@Component
public class StorageReader {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final StorageServiceClient storage;
    private final JsonMapper json;

    public StorageReader(StorageServiceClient storage, JsonMapper json) {
        this.storage = storage;
        this.json = json;
    }

    /** The stored images' metadata rows, ordered by index. */
    public JsonNode list(String requestId) {
        String path = "/internal/requests/" + requestId + "/images";
        byte[] rows = get(path, (request, response) -> body(path, response));
        return json.readTree(rows);
    }

    /** The image's PNG; empty when storage has none at that index (not stored yet, skipped or failed). */
    public Optional<byte[]> png(String requestId, int index) {
        String path = "/internal/requests/" + requestId + "/images/" + index;
        return get(path, (request, response) -> response.getStatusCode().value() == 404
                ? Optional.empty() : Optional.of(body(path, response)));
    }

    private <T> T get(String path, RestClient.RequestHeadersSpec.ExchangeFunction<T> answer) {
        try {
            return StorageServiceClient.exchange(storage.tracedCall(HttpMethod.GET, path, TIMEOUT), answer);
        } catch (IOException e) { // kept as I/O, so that an unreachable storage answers 503, not 500
            throw new UncheckedIOException("storage unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static byte[] body(String path, ClientHttpResponse response) throws IOException {
        if (response.getStatusCode().value() != 200) {
            throw new IllegalStateException("storage answered " + response.getStatusCode().value() + " for " + path);
        }
        return response.getBody().readAllBytes();
    }
}

package io.sdfleet.gateway.generation;

import io.sdfleet.storageclient.StorageServiceClient;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.time.Duration;

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
        return json.readTree(get("/internal/requests/" + requestId + "/images"));
    }

    public byte[] png(String requestId, int index) {
        return get("/internal/requests/" + requestId + "/images/" + index);
    }

    private byte[] get(String path) {
        try {
            return StorageServiceClient.exchange(storage.tracedCall(HttpMethod.GET, path, TIMEOUT), (request, response) -> {
                if (response.getStatusCode().value() != 200) {
                    throw new IllegalStateException("storage answered " + response.getStatusCode().value() + " for " + path);
                }
                return response.getBody().readAllBytes();
            });
        } catch (IOException e) {
            throw new IllegalStateException("storage unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.Messaging;
import io.sdfleet.gateway.GatewayProperties;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.messaging.Tracing;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Reads a request's stored images from storage-service (signed with the fleet's internal credential). */
@Component
public class StorageReader {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final JsonMapper json;
    private final InternalCredential credential;

    public StorageReader(GatewayProperties properties, JsonMapper json, InternalCredential credential) {
        this.credential = credential;
        this.base = properties.storageUrl().replaceAll("/+$", "");
        this.json = json;
    }

    /** The stored images' metadata rows, ordered by index. */
    public JsonNode list(String requestId) {
        return json.readTree(get("/internal/requests/" + requestId + "/images").body());
    }

    public byte[] png(String requestId, int index) {
        return get("/internal/requests/" + requestId + "/images/" + index).body();
    }

    private HttpResponse<byte[]> get(String path) {
        try {
            HttpRequest.Builder request = credential.sign(HttpRequest.newBuilder(URI.create(base + path)))
                    .timeout(Duration.ofSeconds(60));
            String trace = Tracing.current();
            if (trace != null) {
                request.header(Messaging.REQUEST_ID_HTTP_HEADER, trace);
            }
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("storage answered " + response.statusCode() + " for " + path);
            }
            return response;
        } catch (IOException e) {
            throw new IllegalStateException("storage unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

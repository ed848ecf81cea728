package io.sdfleet.worker.storage;

import io.sdfleet.storageclient.StorageServiceClient;
import io.sdfleet.worker.ops.WorkerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Hands finished images to storage-service ({@code PUT /internal/images}, multipart metadata + PNG) and returns only
 * once storage confirmed (201 stored, or 200 already stored by an earlier delivery of the same job). While storage
 * is down or failing (connection refused, 5xx) it retries with exponential backoff (1 s doubling, at most 15 s
 * apart) for {@code sdfleet.worker.storage-retry-seconds}; the job stays unacknowledged all that time. Calls carry the
 * fleet's internal credential (storage refuses anyone else, so no one else can slip an image into a request).
 */
@Component
public class StorageClient {

    private static final Logger log = LoggerFactory.getLogger(StorageClient.class);
    private static final String IMAGES = "/internal/images";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final StorageServiceClient storage;
    private final JsonMapper json;
    private final WorkerMetrics metrics;
    private final Duration retryBudget;

    public StorageClient(StorageServiceClient storage, JsonMapper json, WorkerMetrics metrics,
                         @Value("${sdfleet.worker.storage-retry-seconds:120}")
                         long retrySeconds) {
        this.storage = storage;
        this.metrics = metrics;
        this.json = json;
        this.retryBudget = Duration.ofSeconds(retrySeconds);
    }

    public void store(Map<String, Object> metadata, byte[] png) {
        String boundary = "sdfleet-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "metadata", null, "application/json", json.writeValueAsBytes(metadata));
        part(body, boundary, "image", "image.png", "image/png", png);
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        byte[] multipart = body.toByteArray();
        long deadline = System.nanoTime() + retryBudget.toNanos();
        long delayMillis = 1000;
        while (true) {
            String problem;
            try {
                RestClient.RequestHeadersSpec<?> request = storage.tracedCall(HttpMethod.PUT, IMAGES, TIMEOUT)
                        .header(HttpHeaders.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary)
                        .body(multipart);
                Optional<String> refused = StorageServiceClient.exchange(request, (sent, response) -> {
                    int status = response.getStatusCode().value();
                    if (status == 200 || status == 201) {
                        return Optional.empty();
                    }
                    metrics.storageError();
                    if (status < 500) {
                        // Storage refuses the image itself: retrying cannot help.
                        throw new IllegalStateException("storage answered " + status + ": "
                                + new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8));
                    }
                    return Optional.of("storage answered " + status);
                });
                if (refused.isEmpty()) {
                    return;
                }
                problem = refused.get();
            } catch (IOException e) {
                metrics.storageError();
                problem = "storage unreachable at " + storage.uri(IMAGES) + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while storing an image", e);
            }
            if (System.nanoTime() + delayMillis * 1_000_000 > deadline) {
                throw new IllegalStateException(problem + " (gave up after " + retryBudget.toSeconds() + " s)");
            }
            log.warn("{}; retrying in {} ms", problem, delayMillis);
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while storing an image", e);
            }
            delayMillis = Math.min(delayMillis * 2, 15_000);
        }
    }

    private static void part(ByteArrayOutputStream out, String boundary, String name, String filename, String type,
                             byte[] content) {
        String header = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                + (filename == null ? "" : "; filename=\"" + filename + "\"") + "\r\nContent-Type: " + type + "\r\n\r\n";
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
}

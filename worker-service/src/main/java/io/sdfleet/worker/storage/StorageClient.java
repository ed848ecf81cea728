package io.sdfleet.worker.storage;

import io.sdfleet.contracts.Messaging;
import io.sdfleet.internal.InternalCredential;
import io.sdfleet.messaging.Tracing;
import io.sdfleet.worker.WorkerProperties;
import io.sdfleet.worker.ops.WorkerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
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

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI endpoint;
    private final JsonMapper json;
    private final WorkerMetrics metrics;

    private final Duration retryBudget;
    private final InternalCredential credential;

    public StorageClient(WorkerProperties properties, JsonMapper json, WorkerMetrics metrics,
                         InternalCredential credential,
                         @Value("${sdfleet.worker.storage-retry-seconds:120}")
                         long retrySeconds) {
        this.metrics = metrics;
        this.credential = credential;
        this.endpoint = URI.create(properties.storageUrl().replaceAll("/+$", "") + "/internal/images");
        this.json = json;
        this.retryBudget = Duration.ofSeconds(retrySeconds);
    }

    public void store(Map<String, Object> metadata, byte[] png) {
        String boundary = "sdfleet-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        part(body, boundary, "metadata", null, "application/json", json.writeValueAsBytes(metadata));
        part(body, boundary, "image", "image.png", "image/png", png);
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder builder = credential.sign(HttpRequest.newBuilder(endpoint))
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        String trace = Tracing.current();
        if (trace != null) {
            builder.header(Messaging.REQUEST_ID_HTTP_HEADER, trace);
        }
        HttpRequest request = builder.build();
        long deadline = System.nanoTime() + retryBudget.toNanos();
        long delayMillis = 1000;
        while (true) {
            String problem;
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 || response.statusCode() == 201) {
                    return;
                }
                metrics.storageError();
                if (response.statusCode() < 500) {
                    // Storage refuses the image itself: retrying cannot help.
                    throw new IllegalStateException("storage answered " + response.statusCode() + ": " + response.body());
                }
                problem = "storage answered " + response.statusCode();
            } catch (IOException e) {
                metrics.storageError();
                problem = "storage unreachable at " + endpoint + ": " + e.getMessage();
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

    private static final Logger log = LoggerFactory.getLogger(StorageClient.class);

    private static void part(ByteArrayOutputStream out, String boundary, String name, String filename, String type,
                             byte[] content) {
        String header = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\""
                + (filename == null ? "" : "; filename=\"" + filename + "\"") + "\r\nContent-Type: " + type + "\r\n\r\n";
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
}

package io.sdfleet.worker.storage;

import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.InputImage;
import io.sdfleet.storageclient.StorageServiceClient;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a job's init images, mask and extras images from storage where the job carries {@link InputImage} references (the gateway
 * stored them when it accepted the request), giving the engine the base64 PNGs it decodes; images a job carries
 * inline (requests accepted before references) pass through.
 */
@Component
public class InputImages {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final StorageServiceClient storage;

    public InputImages(StorageServiceClient storage) {
        this.storage = storage;
    }

    public GenerationParameters resolve(GenerationParameters parameters) {
        Map<String, String> fetched = new HashMap<>();
        GenerationParameters p = parameters;
        if (p.img2img() != null) {
            p = p.withImg2Img(p.img2img().withImages(image -> InputImage.isReference(image)
                    ? fetched.computeIfAbsent(image, this::fetch) : image));
        }
        if (p.extras() != null) {
            p = p.withExtras(p.extras().withImages(image -> InputImage.isReference(image)
                    ? fetched.computeIfAbsent(image, this::fetch) : image));
        }
        return p;
    }

    private String fetch(String reference) {
        String path = "/internal/inputs/" + InputImage.digestOf(reference);
        try {
            byte[] png = StorageServiceClient.exchange(storage.tracedCall(HttpMethod.GET, path, TIMEOUT),
                    (request, response) -> {
                        int status = response.getStatusCode().value();
                        if (status == 404) { // the job's fault: no worker will find it
                            throw new IllegalArgumentException("input image " + reference + " is not in storage");
                        }
                        if (status != 200) {
                            throw new IOException("storage answered " + status + " for " + path);
                        }
                        return response.getBody().readAllBytes();
                    });
            return Base64.getEncoder().encodeToString(png);
        } catch (IOException e) {
            throw new UncheckedIOException("reading input image " + reference + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading an input image", e);
        }
    }
}

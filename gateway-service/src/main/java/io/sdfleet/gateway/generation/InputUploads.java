package io.sdfleet.gateway.generation;

import io.sdfleet.request.GenerationParameters;
import io.sdfleet.request.InputImage;
import io.sdfleet.storageclient.StorageServiceClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/**
 * Puts an accepted request's init images, mask and extras images into storage once, by their SHA-256, and replaces them with
 * {@link InputImage} references: the row, the request message and every job message then carry a few bytes where
 * they carried up to 16 images of 32 MB, and the gateway does not hold them once the request is accepted.
 */
@Component
class InputUploads {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final StorageServiceClient storage;

    InputUploads(StorageServiceClient storage) {
        this.storage = storage;
    }

    GenerationParameters offload(GenerationParameters parameters) {
        Map<String, String> uploaded = new HashMap<>();
        GenerationParameters p = parameters;
        if (p.img2img() != null) {
            p = p.withImg2Img(p.img2img().withImages(image -> InputImage.isReference(image)
                    ? image : uploaded.computeIfAbsent(image, this::upload)));
        }
        if (p.extras() != null) {
            p = p.withExtras(p.extras().withImages(image -> InputImage.isReference(image)
                    ? image : uploaded.computeIfAbsent(image, this::upload)));
        }
        return p;
    }

    private String upload(String base64Png) {
        byte[] png = Base64.getDecoder().decode(base64Png); // the gateway wrote it, as PNG
        String digest = sha256(png);
        String path = "/internal/inputs/" + digest;
        try {
            StorageServiceClient.exchange(storage.tracedCall(HttpMethod.PUT, path, TIMEOUT)
                    .contentType(MediaType.IMAGE_PNG).body(png), (request, response) -> {
                        if (response.getStatusCode().value() != 201) {
                            throw new IllegalStateException("storage answered " + response.getStatusCode().value()
                                    + " for an input image: "
                                    + new String(response.getBody().readAllBytes(), StandardCharsets.UTF_8));
                        }
                        return null;
                    });
        } catch (IOException e) { // kept as I/O, so that an unreachable storage answers 503, not 500
            throw new UncheckedIOException("storage unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return InputImage.reference(digest);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

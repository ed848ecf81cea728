package io.sdfleet.storage.image;

import io.sdfleet.storage.ops.StorageMetrics;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import java.io.IOException;
import java.util.List;

/**
 * Internal HTTP API of the storage service. Workers PUT each finished image (multipart: {@code metadata} JSON and
 * {@code image} PNG) and get 201 when it is durably stored, or 200 when it already was; the gateway reads images.
 */
@RestController
public class ImageController {

    private final ImageStore store;
    private final StorageMetrics metrics;

    public ImageController(ImageStore store, StorageMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @PutMapping(path = "/internal/images", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    public ResponseEntity<StoredImage> put(@RequestPart("metadata") ImageMetadata metadata,
                                           @RequestPart("image") MultipartFile image) throws IOException {
        byte[] png = image.getBytes();
        if (png.length < 8 || (png[0] & 0xFF) != 0x89 || png[1] != 'P' || png[2] != 'N' || png[3] != 'G') {
            throw new IllegalArgumentException("image: not a PNG file");
        }
        if (metadata.requestId() == null || metadata.jobId() == null || metadata.imageIndex() < 0) {
            throw new IllegalArgumentException("metadata: requestId, jobId and a non-negative imageIndex are required");
        }
        ImageStore.Stored stored;
        try {
            stored = metrics.storeTimer().record(() -> store.store(metadata, png));
        } catch (RuntimeException e) {
            metrics.error("store");
            throw e;
        }
        metrics.stored(stored.created());
        return ResponseEntity.status(stored.created() ? HttpStatus.CREATED : HttpStatus.OK).body(stored.image());
    }

    @GetMapping("/internal/requests/{requestId}/images")
    public List<StoredImage> list(@PathVariable String requestId) {
        try {
            return store.ofRequest(requestId);
        } catch (RuntimeException e) {
            metrics.error("read");
            throw e;
        }
    }

    @GetMapping(path = "/internal/requests/{requestId}/images/{index}", produces = MediaType.IMAGE_PNG_VALUE)
    public ResponseEntity<byte[]> image(@PathVariable String requestId, @PathVariable int index) {
        try {
            return store.bytes(requestId, index).map(ResponseEntity::ok).orElse(ResponseEntity.notFound().build());
        } catch (RuntimeException e) {
            metrics.error("read");
            throw e;
        }
    }
}

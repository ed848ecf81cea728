package io.sdfleet.storage.image;

import org.springframework.stereotype.Service;

import java.util.List;
import java.util.Optional;

/**
 * Stores an image durably: the object first, then the row, so a row never points at missing bytes. The object
 * key depends only on (request, index, seed), so a redelivered job rewrites the same object and finds its row
 * present; (request, index) is the row's unique key, so two attempts racing each other store one row, whichever job
 * they belong to.
 */
@Service
public class ImageStore {

    private final ObjectStore objects;
    private final ImageRepository rows;

    public ImageStore(ObjectStore objects, ImageRepository rows) {
        this.objects = objects;
        this.rows = rows;
    }

    /** Returns the stored image and whether this call created it (false for a repeat). */
    public Stored store(ImageMetadata metadata, byte[] png) {
        String key = objectKey(metadata.requestId(), metadata.imageIndex(), metadata.seed());
        Optional<StoredImage> existing = rows.find(metadata.requestId(), metadata.imageIndex());
        if (existing.isPresent()) {
            return new Stored(existing.get(), false);
        }
        objects.put(key, png);
        boolean created = rows.insertIfAbsent(metadata, key, png.length);
        return new Stored(rows.find(metadata.requestId(), metadata.imageIndex()).orElseThrow(), created);
    }

    public List<StoredImage> ofRequest(String requestId) {
        return rows.ofRequest(requestId);
    }

    public Optional<byte[]> bytes(String requestId, int imageIndex) {
        return rows.find(requestId, imageIndex).map(image -> objects.get(image.objectKey()));
    }

    static String objectKey(String requestId, int imageIndex, long seed) {
        return "images/" + requestId + "/" + String.format("%05d", imageIndex) + "-" + seed + ".png";
    }

    public record Stored(StoredImage image, boolean created) {
    }
}

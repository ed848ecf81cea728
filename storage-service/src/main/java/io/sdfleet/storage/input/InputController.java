package io.sdfleet.storage.input;

import io.sdfleet.request.InputImage;
import io.sdfleet.storage.image.ObjectStore;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The requests' input images (img2img init images, inpainting masks) in the image bucket, by the SHA-256 of their
 * PNG bytes: the gateway PUTs each once when it accepts a request, the workers GET them when they run its jobs.
 * Content-addressed, so the same image sent again (a retry, another request) is the same object. Bad digests are
 * 400 (the {@code ops.BadParameters} advice).
 */
@RestController
public class InputController {

    private static final String KEY_PREFIX = "inputs/";

    private final ObjectStore objects;

    public InputController(ObjectStore objects) {
        this.objects = objects;
    }

    @PutMapping(path = "/internal/inputs/{digest}", consumes = MediaType.IMAGE_PNG_VALUE)
    public ResponseEntity<Void> put(@PathVariable String digest, @RequestBody byte[] png) {
        requireDigest(digest);
        if (!digest.equals(sha256(png))) {
            throw new IllegalArgumentException("digest: " + digest + " is not the SHA-256 of the body");
        }
        objects.put(key(digest), png);
        return ResponseEntity.status(HttpStatus.CREATED).build();
    }

    @GetMapping(path = "/internal/inputs/{digest}", produces = MediaType.IMAGE_PNG_VALUE)
    public ResponseEntity<byte[]> get(@PathVariable String digest) {
        requireDigest(digest);
        try {
            return ResponseEntity.ok(objects.get(key(digest)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) { // no such key, or no bucket yet
                return ResponseEntity.notFound().build();
            }
            throw e;
        }
    }

    private static void requireDigest(String digest) {
        if (!InputImage.isDigest(digest)) {
            throw new IllegalArgumentException("digest: must be a SHA-256 in lower-case hex, got " + digest);
        }
    }

    private static String key(String digest) {
        return KEY_PREFIX + digest + ".png";
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

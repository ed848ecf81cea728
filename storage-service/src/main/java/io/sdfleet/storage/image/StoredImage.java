package io.sdfleet.storage.image;

import java.time.Instant;

/** A stored image as listed: its metadata and where the bytes are. */
public record StoredImage(String requestId, String jobId, int imageIndex, String user, long seed, String prompt,
                          String model, String workerId, String objectKey, long sizeBytes, Instant createdAt) {
}

package io.sdfleet.storage.model;

import java.time.Instant;

/** One registered model file: what it is, its A1111 hashes, its size and where its bytes are. */
public record StoredModel(long id, String kind, String name, String sha256, String modelHash, String legacyHash,
                          long sizeBytes, String objectKey, String uploadedBy, Instant createdAt) {
}

package io.sdfleet.contracts;

import java.time.Instant;

/** Storage durably holds image {@code imageIndex} of a request (PNG in the object store, row in PostgreSQL). */
public record ImageStored(String requestId, String jobId, int imageIndex, long seed, String objectKey, Instant at) {
}

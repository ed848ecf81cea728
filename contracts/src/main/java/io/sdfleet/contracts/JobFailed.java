package io.sdfleet.contracts;

import java.time.Instant;

/** A job failed for good (after {@code attempts} tries) and went to the dead-letter queue. */
public record JobFailed(String requestId, String jobId, String reason, int attempts, Instant at) {
}

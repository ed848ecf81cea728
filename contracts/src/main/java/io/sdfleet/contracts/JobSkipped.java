package io.sdfleet.contracts;

import java.time.Instant;

/** A worker dropped a job on request; its {@code images} images will not exist. */
public record JobSkipped(String requestId, String jobId, String workerId, int images, Instant at) {
}

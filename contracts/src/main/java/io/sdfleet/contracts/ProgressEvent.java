package io.sdfleet.contracts;

import java.time.Instant;

/** A worker finished denoising step {@code step} of {@code totalSteps} of a job. */
public record ProgressEvent(String requestId, String jobId, String workerId, int step, int totalSteps,
                            double etaSeconds, Instant at) {
}

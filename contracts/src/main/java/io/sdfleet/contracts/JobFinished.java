package io.sdfleet.contracts;

import java.time.Instant;

/** Every image of a job is stored; the worker acknowledged the job. */
public record JobFinished(String requestId, String jobId, String workerId, int images, double pipelineSeconds,
                          long peakMemoryBytes, Instant at) {
}

package io.sdfleet.contracts;

import java.time.Instant;

/**
 * A job attempt failed because of the worker, not the job (out of memory, a device error): the job is retried
 * elsewhere and the scheduler counts the fault against {@code workerId}. Event kind {@link Messaging#WORKER_FAULT}.
 * Faults of the job itself (bad input) are not reported this way: no worker is blamed for them.
 */
public record WorkerFault(String requestId, String jobId, String workerId, String reason, int attempt, Instant at) {
}

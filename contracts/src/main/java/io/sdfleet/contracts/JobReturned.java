package io.sdfleet.contracts;

import java.time.Instant;

/**
 * A worker received a job the broker had delivered before and never saw acknowledged (the worker that had it died or
 * lost its connection mid-job, e.g. killed by the OOM killer). It does not run it: it hands it back, so that the
 * scheduler counts the lost attempt ({@code attempt} is the header the job carried) and releases it again or, after
 * too many, fails it with the reason.
 */
public record JobReturned(JobMessage job, int attempt, String workerId, Instant at) {
}

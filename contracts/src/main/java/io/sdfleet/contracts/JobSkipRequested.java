package io.sdfleet.contracts;

import java.time.Instant;

/** The caller asked to skip the batch now running (A1111's skip): the worker drops that job and goes on. */
public record JobSkipRequested(String requestId, String jobId, String user, Instant at) {
}

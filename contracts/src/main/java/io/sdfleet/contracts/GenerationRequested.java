package io.sdfleet.contracts;

import java.time.Instant;

/** A request the gateway accepted; the scheduler expands it into jobs. */
public record GenerationRequested(String requestId, String user, Instant acceptedAt, GenerationParameters parameters) {
}

package io.sdfleet.contracts;

import java.time.Instant;

/** The caller gave up on a request (interrupt or DELETE): workers stop its running job and skip its queued ones. */
public record RequestCancelled(String requestId, String user, Instant at) {
}

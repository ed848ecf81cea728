package io.sdfleet.contracts;

import io.sdfleet.request.GenerationParameters;

import java.time.Instant;

/**
 * A request the gateway accepted; the scheduler expands it into jobs. {@code priority} orders the request among its
 * user's own requests (higher first, then older first); it never moves the user ahead of other users, whose turns
 * are decided by fair shares. 0 when absent.
 */
public record GenerationRequested(String requestId, String user, Instant acceptedAt, GenerationParameters parameters,
                                  int priority) {

    /** Priority 0 (what every request had before priorities existed). */
    public GenerationRequested(String requestId, String user, Instant acceptedAt, GenerationParameters parameters) {
        this(requestId, user, acceptedAt, parameters, 0);
    }
}

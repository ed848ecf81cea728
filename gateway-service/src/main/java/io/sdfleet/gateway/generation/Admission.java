package io.sdfleet.gateway.generation;

import java.time.LocalDate;

/**
 * Whether a request may be accepted, decided inside the transaction that inserts it while its user's lock is held,
 * so that what it counts (the user's queued and running batches on every replica) cannot change meanwhile.
 */
@FunctionalInterface
public interface Admission {

    /** For callers with no limits (authentication off). */
    Admission UNLIMITED = () -> null;

    /**
     * Throws to refuse the request; otherwise returns the UTC day its images were counted against the user's daily
     * quota (given back if it is withdrawn or ends without them), or null when no quota applies.
     */
    LocalDate admit();
}

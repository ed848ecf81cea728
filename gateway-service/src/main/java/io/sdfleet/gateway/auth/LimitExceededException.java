package io.sdfleet.gateway.auth;

/** A user's limit would be exceeded: answered 429 with {@code Retry-After}. */
public class LimitExceededException extends RuntimeException {

    private final String limit;
    private final long retryAfterSeconds;

    public LimitExceededException(String limit, String message, long retryAfterSeconds) {
        super(message);
        this.limit = limit;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public String limit() {
        return limit;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

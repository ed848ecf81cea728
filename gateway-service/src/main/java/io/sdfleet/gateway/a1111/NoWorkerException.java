package io.sdfleet.gateway.a1111;

/** No live worker takes jobs (none heard from, or every one drained): a synchronous A1111 call cannot be served. */
public class NoWorkerException extends RuntimeException {

    /** Roughly how long a restarted or newly scaled worker takes to report in. */
    public static final int RETRY_AFTER_SECONDS = 30;

    public NoWorkerException() {
        super("no worker can take this request now (none is running, or every one is drained); try again later");
    }
}

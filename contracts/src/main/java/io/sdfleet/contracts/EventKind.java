package io.sdfleet.contracts;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The kinds of event about a request on the events exchange. Each travels as the message type and as the last word
 * of its routing key ({@code request.<id>.<kind>}), so a listener can tell them apart by either.
 */
public enum EventKind {

    /** {@link ProgressEvent}: a worker took a job or finished a step. */
    PROGRESS("progress"),
    /** {@link PreviewEvent}: a live preview image of a running job. */
    PREVIEW("preview"),
    /** {@link JobFinished}: a job's images are stored. */
    JOB_FINISHED("job-finished"),
    /** {@link JobSkipped}: a job was dropped on request (A1111's skip). */
    JOB_SKIPPED("job-skipped"),
    /** {@link JobFailed}: a job's last attempt failed. */
    JOB_FAILED("job-failed"),
    /** {@link RequestCancelled}: the caller gave up on the request. */
    CANCELLED("cancelled"),
    /** {@link JobSkipRequested}: the caller asked to skip the running job. */
    SKIP("skip"),
    /** {@link WorkerFault}: an attempt failed through its worker's fault. */
    WORKER_FAULT("worker-fault"),
    /** {@link JobReturned}: a redelivered job, handed back to the scheduler unrun (its last attempt was lost). */
    JOB_RETURNED("job-returned");

    private static final Map<String, EventKind> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(EventKind::wireName, Function.identity()));

    private final String wireName;

    EventKind(String wireName) {
        this.wireName = wireName;
    }

    /** The kind as messages carry it: their type and the routing key's last word. */
    public String wireName() {
        return wireName;
    }

    /** Routing key of this event about a request, e.g. {@code request.4f…e1.progress}. */
    public String routingKey(String requestId) {
        return Messaging.eventKey(requestId, wireName);
    }

    /** Binding pattern for this event about any request. */
    public String ofAnyRequest() {
        return routingKey("*");
    }

    /** The kind a message type names; null for none or one that is not an event kind. */
    public static EventKind named(String wireName) {
        return wireName == null ? null : BY_WIRE_NAME.get(wireName);
    }

    /** The kind a routing key ends with; null for none or one that is not an event kind. */
    public static EventKind ofRoutingKey(String routingKey) {
        return routingKey == null ? null : named(routingKey.substring(routingKey.lastIndexOf('.') + 1));
    }
}

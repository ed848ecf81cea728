package io.sdfleet.contracts;

/**
 * Names on the AMQP broker. Requests and jobs go through durable queues with persistent messages; events fan out on
 * a topic exchange so every gateway (and anyone else) can follow a request.
 *
 * <pre>
 * gateway ──GenerationRequested──► sdfleet.requests (queue) ──► scheduler
 * scheduler ──JobMessage──► sdfleet.jobs (queue) ──► workers; a job failing 3 times is moved to sdfleet.jobs.dead
 * scheduler ──JobMessage──► sdfleet.jobs.worker.&lt;id&gt; (queue) ──► the one idle worker that holds the job's model
 * workers, storage ──events──► sdfleet.events (topic exchange, routing key "request.&lt;id&gt;.&lt;kind&gt;")
 * workers ──WorkerHeartbeat──► sdfleet.heartbeats (fanout exchange) ──► scheduler, gateway
 * scheduler ──WorkerDrain──► sdfleet.events (routing key "worker.&lt;id&gt;.drain") ──► that worker
 * </pre>
 */
public final class Messaging {

    public static final String REQUESTS_QUEUE = "sdfleet.requests";
    public static final String JOBS_QUEUE = "sdfleet.jobs";
    public static final String JOBS_DEAD_LETTER_QUEUE = "sdfleet.jobs.dead";
    public static final String WORKER_JOBS_QUEUE_PREFIX = "sdfleet.jobs.worker.";
    public static final String EVENTS_EXCHANGE = "sdfleet.events";
    public static final String HEARTBEATS_EXCHANGE = "sdfleet.heartbeats";

    /**
     * Broker names with a deployment prefix (empty in production), so that several fleets or test runs can share one
     * broker without seeing each other's messages.
     */
    public record Names(String prefix) {
        public String requestsQueue() {
            return prefix + REQUESTS_QUEUE;
        }

        public String jobsQueue() {
            return prefix + JOBS_QUEUE;
        }

        /** The queue of jobs meant for one worker (it holds their model); the worker consumes it beside the jobs queue. */
        public String workerJobsQueue(String workerId) {
            return prefix + WORKER_JOBS_QUEUE_PREFIX + workerId;
        }

        public String jobsDeadLetterQueue() {
            return prefix + JOBS_DEAD_LETTER_QUEUE;
        }

        public String eventsExchange() {
            return prefix + EVENTS_EXCHANGE;
        }

        public String heartbeatsExchange() {
            return prefix + HEARTBEATS_EXCHANGE;
        }
    }

    /**
     * AMQP message header carrying the trace (correlation) id of the HTTP request that caused the message. A header,
     * not a field of the records, so the message schemas stay as they are; services put it in the SLF4J MDC as
     * {@code trace} while handling a message and copy it onto every message they send meanwhile.
     */
    public static final String TRACE_HEADER = "x-sdfleet-trace";

    /** Key of the trace id in the SLF4J MDC (log patterns show it) while a service handles a message or a call. */
    public static final String TRACE_MDC_KEY = "trace";

    /** HTTP header carrying the trace id: taken from callers (with W3C {@code traceparent}), returned, sent to storage. */
    public static final String REQUEST_ID_HTTP_HEADER = "X-Request-Id";

    /** AMQP header on job messages: when the gateway accepted the request (epoch milliseconds), for wait-time metrics. */
    public static final String ACCEPTED_AT_HEADER = "x-sdfleet-accepted-at";

    /**
     * AMQP header on job messages: which attempt at the job this delivery is (absent on the first). The worker raises
     * it on each retry, the scheduler keeps it when it takes a stalled job back, so a job ends after
     * {@link #MAX_JOB_ATTEMPTS} wherever its attempts ran.
     */
    public static final String ATTEMPT_HEADER = "x-sdfleet-attempt";

    /** Message type of {@link WorkerDrain}. */
    public static final String DRAIN = "drain";

    /** Attempts before a failing job is dead-lettered and its request told it failed. */
    public static final int MAX_JOB_ATTEMPTS = 3;

    private Messaging() {
    }

    /** Routing key of an event about a request, e.g. {@code request.4f…e1.progress} (kinds: {@link EventKind}). */
    public static String eventKey(String requestId, String kind) {
        return "request." + requestId + "." + kind;
    }

    /** Routing key (on the events exchange) of a control message for one worker, e.g. {@code worker.gpu-1.drain}. */
    public static String drainKey(String workerId) {
        return "worker." + workerId + "." + DRAIN;
    }

    /** Binding pattern for every event of every request. */
    public static final String ALL_EVENTS = "request.#";
}

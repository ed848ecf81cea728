package io.sdfleet.launcher;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import io.sdfleet.contracts.JobFinished;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.contracts.ProgressEvent;
import io.sdfleet.infra.TestServers;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Follows a test fleet's events exchange and keeps, in arrival order, which job started (its first progress event,
 * step 0 when a worker takes it) and finished when, on which worker.
 */
final class BrokerEvents implements AutoCloseable {

    /**
     * An event seen on the events exchange; {@code atNanos} is this test JVM's clock on arrival; a progress event's
     * step of its total (0 of 0 for other kinds).
     */
    record Seen(String kind, String requestId, String jobId, String workerId, long atNanos, int step, int totalSteps) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Connection connection;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private BrokerEvents(Connection connection) {
        this.connection = connection;
    }

    /** Starts following the events of the fleet whose broker names carry {@code prefix}. */
    static BrokerEvents follow(String prefix) throws Exception {
        BrokerEvents events = new BrokerEvents(TestServers.broker().connect());
        Channel channel = events.connection.createChannel();
        String queue = channel.queueDeclare().getQueue();
        channel.queueBind(queue, prefix + Messaging.EVENTS_EXCHANGE, Messaging.ALL_EVENTS);
        DeliverCallback onEvent = (tag, delivery) -> {
            String key = delivery.getEnvelope().getRoutingKey();
            String kind = key.substring(key.lastIndexOf('.') + 1);
            long now = System.nanoTime();
            switch (kind) {
                case "progress" -> {
                    ProgressEvent e = JSON.readValue(delivery.getBody(), ProgressEvent.class);
                    events.seen.add(new Seen(kind, e.requestId(), e.jobId(), e.workerId(), now, e.step(), e.totalSteps()));
                }
                case "job-finished" -> {
                    JobFinished e = JSON.readValue(delivery.getBody(), JobFinished.class);
                    events.seen.add(new Seen(kind, e.requestId(), e.jobId(), e.workerId(), now, 0, 0));
                }
                default -> {
                }
            }
        };
        channel.basicConsume(queue, true, onEvent, tag -> { });
        return events;
    }

    List<Seen> seen() {
        return seen;
    }

    /** When each job of a request started (its first progress event), by job id. */
    Map<String, Long> starts(String requestId) {
        Map<String, Long> starts = new HashMap<>();
        for (Seen s : seen) {
            if (s.kind().equals("progress") && s.requestId().equals(requestId)) {
                starts.merge(s.jobId(), s.atNanos(), Math::min);
            }
        }
        return starts;
    }

    /** Whether a job of the request reported its last sampling step (its images are made, next they are stored). */
    boolean sampledToTheEnd(String requestId) {
        return seen.stream().anyMatch(s -> s.kind().equals("progress") && s.requestId().equals(requestId)
                && s.totalSteps() > 0 && s.step() >= s.totalSteps());
    }

    /** The workers a job was seen running on, in order. */
    Set<String> startedWorkers(String jobId) {
        Set<String> workers = new LinkedHashSet<>();
        seen.stream().filter(s -> s.kind().equals("progress") && s.jobId().equals(jobId)).forEach(s -> workers.add(s.workerId()));
        return workers;
    }

    Set<String> finishedJobs(String requestId) {
        Set<String> jobs = new HashSet<>();
        seen.stream().filter(s -> s.kind().equals("job-finished") && s.requestId().equals(requestId))
                .forEach(s -> jobs.add(s.jobId()));
        return jobs;
    }

    /** The workers that finished a request's jobs. */
    Set<String> finishedOn(String requestId) {
        Set<String> workers = new LinkedHashSet<>();
        seen.stream().filter(s -> s.kind().equals("job-finished") && s.requestId().equals(requestId))
                .forEach(s -> workers.add(s.workerId()));
        return workers;
    }

    /** When each job of a request first finished. */
    List<Long> finishTimes(String requestId) {
        Map<String, Long> first = new HashMap<>();
        seen.stream().filter(s -> s.kind().equals("job-finished") && s.requestId().equals(requestId))
                .forEach(s -> first.merge(s.jobId(), s.atNanos(), Math::min));
        return new ArrayList<>(first.values());
    }

    @Override
    public void close() throws Exception {
        connection.close();
    }
}

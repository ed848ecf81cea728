package io.sdfleet.contracts;

import java.time.Instant;

/**
 * The scheduler tells worker {@code workerId} to stop taking jobs (it kept failing: lost heartbeats, overran
 * deadlines, ran out of memory). Sent on the events exchange with routing key {@link Messaging#drainKey(String)};
 * the worker cancels its jobs consumer and keeps heart-beating, so an operator can see it and restart it.
 */
public record WorkerDrain(String workerId, String reason, Instant at) {
}

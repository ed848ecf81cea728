package io.sdfleet.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;

/**
 * A worker's own jobs queue, declared alike by the worker (which consumes it) and the scheduler (which fills it), so
 * that either may declare it first. Durable: a job waiting there survives a broker restart, and the scheduler moves
 * it to the shared queue if the worker goes away.
 */
public final class WorkerJobQueue {

    private WorkerJobQueue() {
    }

    public static Queue of(Messaging.Names names, String workerId) {
        return QueueBuilder.durable(names.workerJobsQueue(workerId)).build();
    }
}

package io.sdfleet.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;

/**
 * The durable queues more than one service uses, declared alike by each service that sends to or takes from them,
 * so that either may declare one first. Plain durable queues with no broker-specific arguments: the worker moves dead
 * jobs itself, and a job waiting in any of them survives a broker restart.
 */
public final class SharedQueues {

    private SharedQueues() {
    }

    /** Generation requests: the gateway sends, the scheduler takes. */
    public static Queue requests(Messaging.Names names) {
        return QueueBuilder.durable(names.requestsQueue()).build();
    }

    /** Jobs any worker may run: the scheduler sends, the workers take. */
    public static Queue jobs(Messaging.Names names) {
        return QueueBuilder.durable(names.jobsQueue()).build();
    }

    /** Jobs whose last attempt failed, kept for a look. */
    public static Queue jobsDeadLetter(Messaging.Names names) {
        return QueueBuilder.durable(names.jobsDeadLetterQueue()).build();
    }

    /**
     * A worker's own jobs queue, declared by the worker (which consumes it) and the scheduler (which fills it); the
     * scheduler moves its jobs to the shared queue if the worker goes away.
     */
    public static Queue workerJobs(Messaging.Names names, String workerId) {
        return QueueBuilder.durable(names.workerJobsQueue(workerId)).build();
    }
}

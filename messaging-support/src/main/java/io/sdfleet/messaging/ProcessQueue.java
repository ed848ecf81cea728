package io.sdfleet.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Queue;

/**
 * A queue of one service process (its view of events or heartbeats): exclusive, auto-delete and not durable, since
 * what it holds matters only while that process runs. (Spring's AnonymousQueue adds an x-queue-leader-locator
 * argument that older RabbitMQ releases refuse.)
 */
public final class ProcessQueue {

    private ProcessQueue() {
    }

    /** The queue {@code name}, under this deployment's prefix. */
    public static Queue named(Messaging.Names names, String name) {
        return new Queue(names.prefix() + name, false, true, true);
    }
}

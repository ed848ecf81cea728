package io.sdfleet.scheduler.messaging;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.Messaging;
import io.sdfleet.messaging.ProcessQueue;
import io.sdfleet.messaging.SharedQueues;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Declares what the scheduler touches: requests queue, jobs queue (same arguments as the workers'), heartbeats, and
 * its two views of the events: the job events on a durable queue shared by every replica (they wait there while no
 * scheduler is active: a job returned by a worker travels only in its event), progress on this process's own.
 */
@Configuration
public class BrokerTopology {

    /** The durable queue of job events, under the deployment's prefix. */
    static final String JOB_EVENTS_QUEUE = "sdfleet.scheduler.events";

    /** The events that end a job or move it: the active scheduler must see each, even those sent while none was. */
    private static final List<EventKind> JOB_EVENTS = List.of(EventKind.JOB_FINISHED, EventKind.JOB_FAILED,
            EventKind.JOB_SKIPPED, EventKind.CANCELLED, EventKind.WORKER_FAULT, EventKind.JOB_RETURNED);

    /** Heartbeats matter only while this scheduler runs. */
    @Bean
    Queue heartbeatQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "scheduler.heartbeats." + UUID.randomUUID());
    }

    @Bean
    Queue schedulerEventQueue(Messaging.Names names) {
        return QueueBuilder.durable(names.prefix() + JOB_EVENTS_QUEUE).build();
    }

    /** Progress (many per job, useful only now) on this process's own queue. */
    @Bean
    Queue schedulerProgressQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "scheduler.progress." + UUID.randomUUID());
    }

    @Bean
    Declarables schedulerEventBindings(Queue schedulerEventQueue, Queue schedulerProgressQueue,
                                       TopicExchange eventsExchange) {
        List<Declarable> all = new ArrayList<>();
        for (EventKind kind : JOB_EVENTS) {
            all.add(BindingBuilder.bind(schedulerEventQueue).to(eventsExchange).with(kind.ofAnyRequest()));
        }
        all.add(BindingBuilder.bind(schedulerProgressQueue).to(eventsExchange).with(EventKind.PROGRESS.ofAnyRequest()));
        return new Declarables(all);
    }

    @Bean
    Declarables schedulerDeclarables(Messaging.Names names, Queue heartbeatQueue, FanoutExchange heartbeatsExchange) {
        return new Declarables(SharedQueues.requests(names), SharedQueues.jobs(names),
                SharedQueues.jobsDeadLetter(names), BindingBuilder.bind(heartbeatQueue).to(heartbeatsExchange));
    }
}

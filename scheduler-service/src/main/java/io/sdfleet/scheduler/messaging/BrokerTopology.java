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
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Declares what the scheduler touches: requests queue, jobs queue (same arguments as the workers'), heartbeats. */
@Configuration
public class BrokerTopology {

    /** The events {@link EventFollower} follows to watch released jobs. */
    private static final List<EventKind> FOLLOWED = List.of(EventKind.PROGRESS, EventKind.JOB_FINISHED,
            EventKind.JOB_FAILED, EventKind.JOB_SKIPPED, EventKind.CANCELLED, EventKind.WORKER_FAULT);

    /** Heartbeats matter only while this scheduler runs. */
    @Bean
    Queue heartbeatQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "scheduler.heartbeats." + UUID.randomUUID());
    }

    /** Events the scheduler follows to watch released jobs. */
    @Bean
    Queue schedulerEventQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "scheduler.events." + UUID.randomUUID());
    }

    @Bean
    Declarables schedulerEventBindings(Queue schedulerEventQueue, TopicExchange eventsExchange) {
        List<Declarable> all = new ArrayList<>();
        for (EventKind kind : FOLLOWED) {
            all.add(BindingBuilder.bind(schedulerEventQueue).to(eventsExchange).with(kind.ofAnyRequest()));
        }
        return new Declarables(all);
    }

    @Bean
    Declarables schedulerDeclarables(Messaging.Names names, Queue heartbeatQueue, FanoutExchange heartbeatsExchange) {
        return new Declarables(SharedQueues.requests(names), SharedQueues.jobs(names),
                SharedQueues.jobsDeadLetter(names), BindingBuilder.bind(heartbeatQueue).to(heartbeatsExchange));
    }
}

package io.sdfleet.scheduler.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Binding;
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

/** Declares what the scheduler touches: requests queue, jobs queue (same arguments as the workers'), heartbeats. */
@Configuration
public class BrokerTopology {

    @Bean
    Queue heartbeatQueue(Messaging.Names names) {
        // Exclusive and auto-delete: heartbeats matter only while this scheduler runs. (Spring's AnonymousQueue adds
        // an x-queue-leader-locator argument that older RabbitMQ releases refuse.)
        return new Queue(names.prefix() + "scheduler.heartbeats." + UUID.randomUUID(), false, true, true);
    }

    /** Events the scheduler follows to watch released jobs (exclusive, auto-delete, like the heartbeats queue). */
    @Bean
    Queue schedulerEventQueue(Messaging.Names names) {
        return new Queue(names.prefix() + "scheduler.events." + UUID.randomUUID(), false, true, true);
    }

    @Bean
    Declarables schedulerEventBindings(Messaging.Names names, Queue schedulerEventQueue) {
        TopicExchange events = new TopicExchange(names.eventsExchange(), true, false);
        List<Declarable> all = new ArrayList<>();
        all.add(events);
        for (String kind : List.of("progress", "job-finished", "job-failed", Messaging.JOB_SKIPPED,
                Messaging.CANCELLED, Messaging.WORKER_FAULT)) {
            all.add(BindingBuilder.bind(schedulerEventQueue).to(events).with(Messaging.eventKey("*", kind)));
        }
        return new Declarables(all);
    }

    @Bean
    Declarables schedulerDeclarables(Messaging.Names names, Queue heartbeatQueue) {
        Queue requests = QueueBuilder.durable(names.requestsQueue()).build();
        // Plain durable queues: the worker moves dead jobs itself, so no broker-specific queue arguments are needed.
        Queue jobs = QueueBuilder.durable(names.jobsQueue()).build();
        Queue dead = QueueBuilder.durable(names.jobsDeadLetterQueue()).build();
        FanoutExchange heartbeats = new FanoutExchange(names.heartbeatsExchange(), true, false);
        Binding heartbeatBinding = BindingBuilder.bind(heartbeatQueue).to(heartbeats);
        return new Declarables(requests, jobs, dead, new TopicExchange(names.eventsExchange(), true, false), heartbeats, heartbeatBinding);
    }
}

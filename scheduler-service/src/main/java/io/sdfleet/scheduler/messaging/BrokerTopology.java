package io.sdfleet.scheduler.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Declares what the scheduler touches: requests queue, jobs queue (same arguments as the workers'), heartbeats. */
@Configuration
public class BrokerTopology {

    @Bean
    Messaging.Names brokerNames(MessagingProperties properties) {
        return properties.names();
    }

    @Bean
    Queue heartbeatQueue(Messaging.Names names) {
        // Exclusive and auto-delete: heartbeats matter only while this scheduler runs. (Spring's AnonymousQueue adds
        // an x-queue-leader-locator argument that older RabbitMQ releases refuse.)
        return new Queue(names.prefix() + "scheduler.heartbeats." + java.util.UUID.randomUUID(), false, true, true);
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

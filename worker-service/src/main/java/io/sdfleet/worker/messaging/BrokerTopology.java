package io.sdfleet.worker.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The queues and exchanges the worker uses, declared idempotently at start-up (every service declares what it
 * touches, so start order does not matter): a durable jobs queue and its dead-letter queue, the events
 * topic exchange and the heartbeats fanout exchange.
 */
@Configuration
public class BrokerTopology {

    @Bean
    Messaging.Names brokerNames(MessagingProperties properties) {
        return properties.names();
    }

    @Bean
    Declarables workerDeclarables(Messaging.Names names) {
        // Plain durable queues: the worker moves dead jobs itself, so no broker-specific queue arguments are needed.
        Queue jobs = QueueBuilder.durable(names.jobsQueue()).build();
        Queue dead = QueueBuilder.durable(names.jobsDeadLetterQueue()).build();
        return new Declarables(jobs, dead,
                new TopicExchange(names.eventsExchange(), true, false),
                new FanoutExchange(names.heartbeatsExchange(), true, false));
    }
}

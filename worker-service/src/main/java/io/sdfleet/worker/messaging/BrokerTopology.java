package io.sdfleet.worker.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The queues and exchanges the worker uses, declared idempotently at start-up (every service declares what it
 * touches, so start order does not matter): a durable jobs queue that dead-letters to {@code jobs.dead}, the events
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
        Queue jobs = QueueBuilder.durable(names.jobsQueue())
                .deadLetterExchange(names.jobsDeadLetterExchange())
                .deadLetterRoutingKey(names.jobsDeadLetterQueue())
                .build();
        DirectExchange deadLetters = new DirectExchange(names.jobsDeadLetterExchange(), true, false);
        Queue dead = QueueBuilder.durable(names.jobsDeadLetterQueue()).build();
        Binding deadBinding = BindingBuilder.bind(dead).to(deadLetters).with(names.jobsDeadLetterQueue());
        return new Declarables(jobs, deadLetters, dead, deadBinding,
                new TopicExchange(names.eventsExchange(), true, false),
                new FanoutExchange(names.heartbeatsExchange(), true, false));
    }
}

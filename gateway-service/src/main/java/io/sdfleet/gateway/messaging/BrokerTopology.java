package io.sdfleet.gateway.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.AnonymousQueue;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The requests queue the gateway publishes to, and this gateway's own queue of request events. */
@Configuration
public class BrokerTopology {

    @Bean
    Messaging.Names brokerNames(MessagingProperties properties) {
        return properties.names();
    }

    @Bean
    Queue gatewayEventQueue() {
        return new AnonymousQueue();
    }

    @Bean
    Declarables gatewayDeclarables(Messaging.Names names, Queue gatewayEventQueue) {
        TopicExchange events = new TopicExchange(names.eventsExchange(), true, false);
        return new Declarables(QueueBuilder.durable(names.requestsQueue()).build(), events,
                BindingBuilder.bind(gatewayEventQueue).to(events).with(Messaging.ALL_EVENTS));
    }
}

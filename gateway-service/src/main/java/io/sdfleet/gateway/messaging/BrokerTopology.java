package io.sdfleet.gateway.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.UUID;

/** The requests queue the gateway publishes to, and this gateway's own queue of request events. */
@Configuration
public class BrokerTopology {

    @Bean
    Queue gatewayEventQueue(Messaging.Names names) {
        // Exclusive and auto-delete: this gateway's view of request events lives as long as it does.
        return new Queue(names.prefix() + "gateway.events." + UUID.randomUUID(), false, true, true);
    }

    @Bean
    Queue gatewayHeartbeatQueue(Messaging.Names names) {
        return new Queue(names.prefix() + "gateway.heartbeats." + UUID.randomUUID(), false, true, true);
    }

    @Bean
    Declarables gatewayDeclarables(Messaging.Names names, Queue gatewayEventQueue, Queue gatewayHeartbeatQueue) {
        TopicExchange events = new TopicExchange(names.eventsExchange(), true, false);
        FanoutExchange heartbeats =
                new FanoutExchange(names.heartbeatsExchange(), true, false);
        return new Declarables(QueueBuilder.durable(names.requestsQueue()).build(), events, heartbeats,
                BindingBuilder.bind(gatewayEventQueue).to(events).with(Messaging.ALL_EVENTS),
                BindingBuilder.bind(gatewayHeartbeatQueue).to(heartbeats));
    }
}

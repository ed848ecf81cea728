package io.sdfleet.gateway.messaging;

import io.sdfleet.contracts.Messaging;
import io.sdfleet.messaging.ProcessQueue;
import io.sdfleet.messaging.SharedQueues;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.UUID;

/** The requests queue the gateway publishes to, and this gateway's own queues of request events and heartbeats. */
@Configuration
public class BrokerTopology {

    @Bean
    Queue gatewayEventQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "gateway.events." + UUID.randomUUID());
    }

    @Bean
    Queue gatewayHeartbeatQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "gateway.heartbeats." + UUID.randomUUID());
    }

    @Bean
    Declarables gatewayDeclarables(Messaging.Names names, Queue gatewayEventQueue, Queue gatewayHeartbeatQueue,
                                   TopicExchange eventsExchange, FanoutExchange heartbeatsExchange) {
        return new Declarables(SharedQueues.requests(names),
                BindingBuilder.bind(gatewayEventQueue).to(eventsExchange).with(Messaging.ALL_EVENTS),
                BindingBuilder.bind(gatewayHeartbeatQueue).to(heartbeatsExchange));
    }
}

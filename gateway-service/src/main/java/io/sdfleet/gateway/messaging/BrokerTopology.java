package io.sdfleet.gateway.messaging;

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
 * The requests queue the gateway publishes to; the durable queue of the events that change a request's account,
 * shared by every gateway replica (each event recorded once, none lost while no gateway runs); and this replica's
 * own queues of every request event (its live views) and of heartbeats.
 */
@Configuration
public class BrokerTopology {

    /** The durable queue of recorded events, under the deployment's prefix. */
    static final String RECORD_QUEUE = "sdfleet.gateway.events";

    /** The events that change a request's row; the rest (progress, previews) matter only live. */
    private static final List<EventKind> RECORDED = List.of(EventKind.JOB_FINISHED, EventKind.JOB_SKIPPED,
            EventKind.JOB_FAILED);

    @Bean
    Queue gatewayRecordQueue(Messaging.Names names) {
        return QueueBuilder.durable(names.prefix() + RECORD_QUEUE).build();
    }

    @Bean
    Queue gatewayEventQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "gateway.events." + UUID.randomUUID());
    }

    @Bean
    Queue gatewayHeartbeatQueue(Messaging.Names names) {
        return ProcessQueue.named(names, "gateway.heartbeats." + UUID.randomUUID());
    }

    @Bean
    Declarables gatewayDeclarables(Messaging.Names names, Queue gatewayRecordQueue, Queue gatewayEventQueue,
                                   Queue gatewayHeartbeatQueue, TopicExchange eventsExchange,
                                   FanoutExchange heartbeatsExchange) {
        List<Declarable> all = new ArrayList<>();
        all.add(SharedQueues.requests(names));
        for (EventKind kind : RECORDED) {
            all.add(BindingBuilder.bind(gatewayRecordQueue).to(eventsExchange).with(kind.ofAnyRequest()));
        }
        all.add(BindingBuilder.bind(gatewayEventQueue).to(eventsExchange).with(Messaging.ALL_EVENTS));
        all.add(BindingBuilder.bind(gatewayHeartbeatQueue).to(heartbeatsExchange));
        return new Declarables(all);
    }
}

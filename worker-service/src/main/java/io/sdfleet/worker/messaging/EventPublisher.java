package io.sdfleet.worker.messaging;

import io.sdfleet.contracts.EventKind;
import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/** Publishes contract messages as JSON: request events on the topic exchange, heartbeats on the fanout. */
@Component
public class EventPublisher {

    private final RabbitTemplate rabbit;
    private final Messaging.Names names;
    private final JsonMapper json;

    public EventPublisher(RabbitTemplate rabbit, Messaging.Names names, JsonMapper json) {
        this.rabbit = rabbit;
        this.names = names;
        this.json = json;
    }

    /** An event about a request. */
    public void requestEvent(String requestId, EventKind kind, Object event) {
        send(names.eventsExchange(), kind.routingKey(requestId), event, kind.wireName());
    }

    /**
     * An event about a request that must not be lost (it ends or hands back a job the caller then acknowledges, and
     * the gateway and scheduler record it from durable queues): persistent, and returns only once the broker
     * confirms it.
     */
    public void confirmedRequestEvent(String requestId, EventKind kind, Object event) {
        Message message = message(event, kind.wireName(), MessageDeliveryMode.PERSISTENT);
        rabbit.invoke(ops -> {
            ops.send(names.eventsExchange(), kind.routingKey(requestId), message);
            ops.waitForConfirmsOrDie(10_000);
            return null;
        });
    }

    public void heartbeat(Object heartbeat) {
        send(names.heartbeatsExchange(), "", heartbeat, "heartbeat");
    }

    private void send(String exchange, String routingKey, Object body, String kind) {
        // events are live updates, not records
        rabbit.send(exchange, routingKey, message(body, kind, MessageDeliveryMode.NON_PERSISTENT));
    }

    private Message message(Object body, String kind, MessageDeliveryMode mode) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setDeliveryMode(mode);
        properties.setType(kind);
        return new Message(json.writeValueAsBytes(body), properties);
    }
}

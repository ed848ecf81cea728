package io.sdfleet.gateway.generation;

import io.sdfleet.contracts.GenerationRequested;
import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Puts accepted requests on the durable requests queue and returns only once the broker confirmed one (else
 * throws). The message id is the request id, and the scheduler plans a request id once, so publishing the same
 * request again (the sweeper, after a gateway died before it saw the confirm) is harmless.
 */
@Component
class RequestPublisher {

    private static final long CONFIRM_TIMEOUT_MILLIS = 10_000;

    private final RabbitTemplate rabbit;
    private final Messaging.Names names;
    private final JsonMapper json;

    RequestPublisher(RabbitTemplate rabbit, Messaging.Names names, JsonMapper json) {
        this.rabbit = rabbit;
        this.names = names;
        this.json = json;
    }

    void publish(GenerationRequested request) {
        MessageProperties props = new MessageProperties();
        props.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        props.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        props.setMessageId(request.requestId());
        Message message = new Message(json.writeValueAsBytes(request), props);
        rabbit.invoke(ops -> {
            ops.send("", names.requestsQueue(), message);
            ops.waitForConfirmsOrDie(CONFIRM_TIMEOUT_MILLIS);
            return null;
        });
    }
}

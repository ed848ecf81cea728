package io.sdfleet.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.TopicExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The two exchanges every service on the broker uses, declared by each at start-up (declaring is idempotent, so start
 * order does not matter). Services bind their own queues to these beans.
 */
@Configuration(proxyBeanMethods = false)
class SharedExchanges {

    /** Request events and worker control messages (topic: routing keys name the request or worker). */
    @Bean
    TopicExchange eventsExchange(Messaging.Names names) {
        return new TopicExchange(names.eventsExchange(), true, false);
    }

    /** Worker heartbeats, to every scheduler and gateway. */
    @Bean
    FanoutExchange heartbeatsExchange(Messaging.Names names) {
        return new FanoutExchange(names.heartbeatsExchange(), true, false);
    }
}

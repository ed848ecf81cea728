package io.sdfleet.messaging;

import io.sdfleet.contracts.Messaging;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Broker name prefix (empty in production; tests use a random one). */
@ConfigurationProperties("sdfleet.messaging")
public record MessagingProperties(String prefix) {

    public Messaging.Names names() {
        return new Messaging.Names(prefix == null ? "" : prefix);
    }
}

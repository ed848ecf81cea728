package io.sdfleet.messaging;

import io.sdfleet.contracts.Messaging;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.amqp.autoconfigure.RabbitTemplateCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.util.List;

/**
 * What every service on the broker sets up alike: the broker names with this deployment's prefix (bean
 * {@code brokerNames}, which listeners name in SpEL), the shared exchanges ({@link SharedExchanges}), and the trace id
 * on every message — stamped on what is sent, put in the MDC while a listener handles what was received.
 */
@AutoConfiguration
@Import(SharedExchanges.class)
@EnableConfigurationProperties(MessagingProperties.class)
public class MessagingAutoConfiguration {

    @Bean
    Messaging.Names brokerNames(MessagingProperties properties) {
        return properties.names();
    }

    /** Stamps outgoing messages with the current trace id (unless they already carry one). */
    @Bean
    RabbitTemplateCustomizer traceOnPublish() {
        return template -> template.addBeforePublishPostProcessors(message -> {
            String trace = Tracing.current();
            if (trace != null && Tracing.of(message) == null) {
                message.getMessageProperties().setHeader(Messaging.TRACE_HEADER, trace);
            }
            return message;
        });
    }

    /** Listeners run with their message's trace id in the MDC. */
    @Bean
    ContainerCustomizer<SimpleMessageListenerContainer> traceOnReceive() {
        MethodInterceptor advice = invocation -> {
            Object[] args = invocation.getArguments();
            Object data = args.length > 1 ? args[1] : null;
            if (data instanceof List<?> batch && !batch.isEmpty()) {
                data = batch.get(0);
            }
            try (Tracing.Scope ignored = Tracing.open(data instanceof Message message ? Tracing.of(message) : null)) {
                return invocation.proceed();
            }
        };
        return container -> container.setAdviceChain(advice);
    }
}

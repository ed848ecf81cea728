package io.sdfleet.gateway.ops;

import io.sdfleet.contracts.Messaging;
import org.aopalliance.intercept.MethodInterceptor;
import org.slf4j.MDC;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.config.ContainerCustomizer;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.amqp.autoconfigure.RabbitTemplateCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;
import java.util.function.Supplier;

/**
 * The trace id on this service's messages: every listener runs with the {@value Messaging#TRACE_HEADER} header of its
 * message in the SLF4J MDC (key {@value #MDC_KEY}, shown by the log pattern), and every message sent meanwhile gets
 * that header.
 */
@Configuration(proxyBeanMethods = false)
public class Tracing {

    public static final String MDC_KEY = "trace";

    /** The trace id of the work at hand, or null. */
    public static String current() {
        return MDC.get(MDC_KEY);
    }

    /** The trace id a message carries, or null. */
    public static String of(Message message) {
        Object value = message.getMessageProperties().getHeaders().get(Messaging.TRACE_HEADER);
        return value == null ? null : value.toString();
    }

    /** Runs {@code work} with {@code trace} (may be null) in the MDC, then puts back what was there. */
    public static <T> T with(String trace, Supplier<T> work) {
        String previous = MDC.get(MDC_KEY);
        if (trace == null) {
            MDC.remove(MDC_KEY);
        } else {
            MDC.put(MDC_KEY, trace);
        }
        try {
            return work.get();
        } finally {
            if (previous == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, previous);
            }
        }
    }

    public static void run(String trace, Runnable work) {
        with(trace, () -> {
            work.run();
            return null;
        });
    }

    /** Stamps outgoing messages with the current trace id (unless they already carry one). */
    @Bean
    RabbitTemplateCustomizer traceOnPublish() {
        return template -> template.addBeforePublishPostProcessors(message -> {
            String trace = current();
            if (trace != null && of(message) == null) {
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
            String trace = data instanceof Message message ? of(message) : null;
            String previous = MDC.get(MDC_KEY);
            if (trace == null) {
                MDC.remove(MDC_KEY);
            } else {
                MDC.put(MDC_KEY, trace);
            }
            try {
                return invocation.proceed();
            } finally {
                if (previous == null) {
                    MDC.remove(MDC_KEY);
                } else {
                    MDC.put(MDC_KEY, previous);
                }
            }
        };
        return container -> container.setAdviceChain(advice);
    }
}

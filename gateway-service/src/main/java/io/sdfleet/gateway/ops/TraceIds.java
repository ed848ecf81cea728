package io.sdfleet.gateway.ops;

import io.sdfleet.internal.trace.TraceFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway is the fleet's edge: every HTTP request gets a trace id (the caller's, or a new one), which the gateway
 * then carries on every AMQP message it sends meanwhile (the generation request, cancels, skips) and on its calls
 * to storage-service.
 */
@Configuration(proxyBeanMethods = false)
class TraceIds {

    @Bean
    TraceFilter traceFilter() {
        return TraceFilter.atTheEdge();
    }
}

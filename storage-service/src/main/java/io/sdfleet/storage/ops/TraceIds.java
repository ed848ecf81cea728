package io.sdfleet.storage.ops;

import io.sdfleet.internal.trace.TraceFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Calls from workers and the gateway carry the trace id of the generation they belong to: storage-service's log lines
 * show it while such a call is handled, and the answer carries it back.
 */
@Configuration(proxyBeanMethods = false)
class TraceIds {

    @Bean
    TraceFilter traceFilter() {
        return TraceFilter.inside();
    }
}

package io.sdfleet.internal;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * A management port of its own ({@code management.server.port}) is a separate servlet context that the main
 * context's filters do not reach: it gets the internal-credential guard here, on every service, the gateway too.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class ManagementPortGuard {

    @Bean
    FilterRegistrationBean<InternalAuthFilter> managementPortInternalAuthFilter(InternalCredential credential) {
        return InternalAuthAutoConfiguration.registration(credential);
    }
}

package io.sdfleet.internal;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Every service has the fleet's internal credential (start-up fails without one) to sign its calls; storage, the
 * scheduler and the workers also guard their main port with it ({@code sdfleet.internal.guard-server}).
 */
@AutoConfiguration
@EnableConfigurationProperties(InternalAuthProperties.class)
public class InternalAuthAutoConfiguration {

    /** Right after the trace id is set (so refusals are traced), before anything else reads the request. */
    static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 5;

    @Bean
    InternalCredential internalCredential(InternalAuthProperties properties) {
        return InternalCredential.of(properties.token(), properties.acceptedTokens());
    }

    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnProperty(name = "sdfleet.internal.guard-server", havingValue = "true", matchIfMissing = true)
    FilterRegistrationBean<InternalAuthFilter> internalAuthFilter(InternalCredential credential) {
        return registration(credential);
    }

    static FilterRegistrationBean<InternalAuthFilter> registration(InternalCredential credential) {
        FilterRegistrationBean<InternalAuthFilter> registration =
                new FilterRegistrationBean<>(new InternalAuthFilter(credential));
        registration.setOrder(FILTER_ORDER);
        registration.addUrlPatterns("/*");
        return registration;
    }
}

package io.sdfleet.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.util.List;

/**
 * {@code sdfleet.internal.*}: the fleet's internal credential ({@code token}, from {@code SDFLEET_INTERNAL_TOKEN}),
 * tokens also accepted while it is rotated, and whether this service's main port needs it ({@code guard-server}:
 * true for storage, scheduler and workers; false for the gateway, whose users authenticate their own way). A separate
 * management port always needs it.
 */
@ConfigurationProperties("sdfleet.internal")
public record InternalAuthProperties(String token, List<String> acceptedTokens,
                                     @DefaultValue("true") boolean guardServer) {
}

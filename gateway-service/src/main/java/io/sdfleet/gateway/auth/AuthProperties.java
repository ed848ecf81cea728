package io.sdfleet.gateway.auth;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Authentication settings. {@code enabled}: every API call needs a Bearer API key or A1111-style basic auth;
 * off (local development), callers are told apart by the {@code X-Sdfleet-User} header. {@code bootstrapAdminKey}:
 * an API key that becomes the "admin" user's on start when no admin exists, so a fresh deployment can create users.
 * New users get {@code defaultMaxConcurrentJobs} and {@code defaultMaxImagesPerDay} unless told otherwise.
 */
@ConfigurationProperties("sdfleet.gateway.auth")
public record AuthProperties(boolean enabled, String bootstrapAdminKey, Integer defaultMaxConcurrentJobs,
                             Integer defaultMaxImagesPerDay) {

    public AuthProperties {
        defaultMaxConcurrentJobs = defaultMaxConcurrentJobs == null ? 8 : defaultMaxConcurrentJobs;
        defaultMaxImagesPerDay = defaultMaxImagesPerDay == null ? 1000 : defaultMaxImagesPerDay;
    }
}

package io.sdfleet.gateway.auth;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Authentication settings ({@code sdfleet.gateway.auth.*}, defaults in {@code gateway-service.properties}).
 *
 * @param enabled                   every call but the web page's static files, {@code /ui/config} and the health
 *                                  probes needs a Bearer API key or A1111-style basic auth; off (local
 *                                  development), callers are told apart by the {@code X-Sdfleet-User} header
 * @param bootstrapAdminKey         an API key that becomes the "admin" user's on start when no admin exists, so a
 *                                  fresh deployment can create users
 * @param defaultMaxConcurrentJobs  limits of new users unless told otherwise
 * @param defaultMaxImagesPerDay    limits of new users unless told otherwise
 * @param publicOperations          Prometheus meters and the OpenAPI description without credentials (for a
 *                                  deployment that keeps the gateway port off untrusted networks); otherwise they
 *                                  need an admin's key or the fleet's internal credential
 * @param failedLoginsPerAddress    wrong credentials one client address may send per window before it gets 429
 * @param failedLoginsPerUser       wrong passwords one user name may receive per window before it gets 429
 * @param failedLoginWindowSeconds  the window those two count in
 */
@ConfigurationProperties("sdfleet.gateway.auth")
public record AuthProperties(boolean enabled, String bootstrapAdminKey, Integer defaultMaxConcurrentJobs,
                             Integer defaultMaxImagesPerDay, boolean publicOperations, Integer failedLoginsPerAddress,
                             Integer failedLoginsPerUser, Integer failedLoginWindowSeconds) {

    public AuthProperties {
        defaultMaxConcurrentJobs = defaultMaxConcurrentJobs == null ? 8 : defaultMaxConcurrentJobs;
        defaultMaxImagesPerDay = defaultMaxImagesPerDay == null ? 1000 : defaultMaxImagesPerDay;
        failedLoginsPerAddress = failedLoginsPerAddress == null ? 30 : failedLoginsPerAddress;
        failedLoginsPerUser = failedLoginsPerUser == null ? 10 : failedLoginsPerUser;
        failedLoginWindowSeconds = failedLoginWindowSeconds == null ? 300 : failedLoginWindowSeconds;
    }
}

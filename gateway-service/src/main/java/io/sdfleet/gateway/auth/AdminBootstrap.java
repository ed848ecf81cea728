package io.sdfleet.gateway.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * A fresh deployment has no users, and only admins can create them: when a bootstrap admin key is configured
 * ({@code SDFLEET_ADMIN_KEY}) and no admin exists yet, the user "admin" is created with that key.
 */
@Component
public class AdminBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final AuthProperties properties;
    private final Users users;

    public AdminBootstrap(AuthProperties properties, Users users) {
        this.properties = properties;
        this.users = users;
    }

    @Override
    public void run(ApplicationArguments args) {
        String key = properties.bootstrapAdminKey();
        if (key == null || key.isBlank() || users.anyAdmin()) {
            return;
        }
        users.create(new Users.User("admin", true, properties.defaultMaxConcurrentJobs(),
                properties.defaultMaxImagesPerDay()), null);
        users.addKey("admin", Secrets.hashApiKey(key.trim()), "bootstrap");
        log.info("created the admin user with the configured bootstrap key");
    }
}

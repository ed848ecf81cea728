package io.sdfleet.gateway.auth;

import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns an {@code Authorization} header into a user: {@code Bearer <api key>}, or A1111's {@code --api-auth}
 * style {@code Basic user:password}. A password check costs a deliberately slow PBKDF2, and A1111 clients send
 * basic auth on every progress poll, so a successful check is remembered for a few minutes (keyed by a hash of
 * the credentials, never the password itself).
 */
@Component
public class Authenticator {

    private static final Duration REMEMBER = Duration.ofMinutes(5);

    private final Users users;
    private final Map<String, Instant> recentPasswords = new ConcurrentHashMap<>();

    public Authenticator(Users users) {
        this.users = users;
    }

    public Optional<Users.User> authenticate(String header) {
        if (header == null) {
            return Optional.empty();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String key = header.substring(7).trim();
            return key.isEmpty() ? Optional.empty() : users.byKeyHash(Secrets.hashApiKey(key));
        }
        if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return basic(header.substring(6).trim());
        }
        return Optional.empty();
    }

    private Optional<Users.User> basic(String encoded) {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String name = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        String remembered = Secrets.hashApiKey(decoded);
        Instant until = recentPasswords.get(remembered);
        if (until != null && until.isAfter(Instant.now())) {
            return users.find(name);
        }
        Optional<String> hash = users.passwordHash(name);
        if (hash.isPresent() && Secrets.passwordMatches(password, hash.get())) {
            recentPasswords.put(remembered, Instant.now().plus(REMEMBER));
            return users.find(name);
        }
        return Optional.empty();
    }
}

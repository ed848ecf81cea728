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
 * style {@code Basic user:password}. A password check costs a deliberately slow PBKDF2, the same for names that
 * do not exist (checked against a dummy hash), so response times do not tell which user names exist. A1111 clients
 * send basic auth on every progress poll, so a successful check is remembered for a few minutes (keyed by a hash of
 * the credentials, never the password itself).
 */
@Component
public class Authenticator {

    private static final Duration REMEMBER = Duration.ofMinutes(5);
    /** Compared against when the user has no password, so that case costs what a wrong password costs. */
    private static final String DUMMY_HASH = Secrets.hashPassword(Secrets.newApiKey());

    private final Users users;
    private final KeyUsage keyUsage;
    private final Map<String, Instant> recentPasswords = new ConcurrentHashMap<>();

    public Authenticator(Users users, KeyUsage keyUsage) {
        this.users = users;
        this.keyUsage = keyUsage;
    }

    public Optional<Users.User> authenticate(String header) {
        if (header == null) {
            return Optional.empty();
        }
        if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String key = header.substring(7).trim();
            if (key.isEmpty()) {
                return Optional.empty();
            }
            String keyHash = Secrets.hashApiKey(key);
            Optional<Users.User> owner = users.byKeyHash(keyHash);
            owner.ifPresent(u -> keyUsage.used(keyHash));
            return owner;
        }
        return basicCredentials(header).flatMap(this::basic);
    }

    /** The user name basic credentials claim (whether or not the password is right); empty for other schemes. */
    public static Optional<String> claimedUser(String header) {
        return basicCredentials(header).map(BasicCredentials::name);
    }

    private record BasicCredentials(String name, String password, String decoded) {
    }

    private static Optional<BasicCredentials> basicCredentials(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        return Optional.of(new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1), decoded));
    }

    private Optional<Users.User> basic(BasicCredentials credentials) {
        String remembered = Secrets.hashApiKey(credentials.decoded());
        Instant until = recentPasswords.get(remembered);
        if (until != null && until.isAfter(Instant.now())) {
            return users.find(credentials.name());
        }
        String hash = users.passwordHash(credentials.name()).orElse(null);
        boolean matches = Secrets.passwordMatches(credentials.password(), hash == null ? DUMMY_HASH : hash);
        if (hash != null && matches) {
            recentPasswords.put(remembered, Instant.now().plus(REMEMBER));
            return users.find(credentials.name());
        }
        return Optional.empty();
    }
}

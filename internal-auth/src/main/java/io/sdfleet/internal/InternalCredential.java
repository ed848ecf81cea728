package io.sdfleet.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The secret the fleet's services share: storage-service, the scheduler's and workers' ports and every management
 * port accept a call only when it carries {@code Authorization: Bearer <token>}; the gateway and the workers send it.
 * Comparison is on SHA-256 digests with a constant-time equality, so timing tells nothing about the token. During a
 * rotation a service also accepts the tokens in {@code sdfleet.internal.accepted-tokens} (it never sends those).
 */
public final class InternalCredential {

    /** Shorter secrets are refused at start-up: the token is the only thing between the network and every image. */
    public static final int MIN_LENGTH = 32;
    public static final String PROPERTY = "sdfleet.internal.token";
    public static final String ENVIRONMENT_VARIABLE = "SDFLEET_INTERNAL_TOKEN";

    private static final String SCHEME = "Bearer ";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String token;
    private final List<byte[]> acceptedDigests;

    private InternalCredential(String token, List<byte[]> acceptedDigests) {
        this.token = token;
        this.acceptedDigests = acceptedDigests;
    }

    public static InternalCredential of(String token) {
        return of(token, List.of());
    }

    /** The token this service sends (and accepts), and older or newer ones it only accepts while a rotation runs. */
    public static InternalCredential of(String token, List<String> alsoAccepted) {
        List<byte[]> digests = new ArrayList<>();
        digests.add(digest(checked(token, PROPERTY + " (" + ENVIRONMENT_VARIABLE + ")")));
        for (String other : alsoAccepted == null ? List.<String>of() : alsoAccepted) {
            if (other != null && !other.isBlank()) {
                digests.add(digest(checked(other.trim(), "sdfleet.internal.accepted-tokens")));
            }
        }
        return new InternalCredential(token.trim(), List.copyOf(digests));
    }

    /** A fresh random token (256 bits, URL-safe Base64), as local mode makes one per run. */
    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether an {@code Authorization} header value carries this fleet's credential. */
    public boolean isPresentedBy(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        byte[] presented = digest(authorizationHeader.substring(SCHEME.length()).trim());
        boolean match = false;
        for (byte[] accepted : acceptedDigests) {
            match |= MessageDigest.isEqual(presented, accepted); // no early exit: every candidate is compared
        }
        return match;
    }

    /** The {@code Authorization} header value this service sends on its calls to other services. */
    public String authorizationHeader() {
        return SCHEME + token;
    }

    @Override
    public String toString() {
        return "InternalCredential[redacted]";
    }

    private static String checked(String token, String name) {
        if (token == null || token.isBlank()) {
            throw new IllegalStateException(name + " is not set: every service of a fleet needs the fleet's internal"
                    + " credential, one shared secret of at least " + MIN_LENGTH + " characters"
                    + " (e.g. `openssl rand -base64 32`; ./sd fleet makes one per run)");
        }
        if (token.trim().length() < MIN_LENGTH) {
            throw new IllegalStateException(name + " is " + token.trim().length() + " characters long; the fleet's"
                    + " internal credential needs at least " + MIN_LENGTH + " (e.g. `openssl rand -base64 32`)");
        }
        return token.trim();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

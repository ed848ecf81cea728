package io.sdfleet.gateway.auth;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.LongAdder;

/**
 * API keys and passwords, never stored in the clear. Keys are 32 random bytes (so a fast SHA-256 is enough to
 * store them safely); passwords are people's and guessable, so they get PBKDF2-HMAC-SHA256 with a salt.
 */
public final class Secrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final LongAdder PASSWORD_CHECKS = new LongAdder();
    private static final int PBKDF2_ITERATIONS = 210_000; // OWASP's 2023 figure for PBKDF2-HMAC-SHA256
    static final String KEY_PREFIX = "sdf_";

    private Secrets() {
    }

    /** A new API key as shown once to its owner: "sdf_" + 43 URL-safe characters. */
    public static String newApiKey() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static String hashApiKey(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** "pbkdf2-sha256$iterations$salt$hash", salt and hash in base64. */
    public static String hashPassword(String password) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return "pbkdf2-sha256$" + PBKDF2_ITERATIONS + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(pbkdf2(password, salt, PBKDF2_ITERATIONS));
    }

    public static boolean passwordMatches(String password, String stored) {
        if (stored == null) {
            return false;
        }
        String[] parts = stored.split("\\$");
        if (parts.length != 4 || !parts[0].equals("pbkdf2-sha256")) {
            return false;
        }
        PASSWORD_CHECKS.increment();
        byte[] expected = Base64.getDecoder().decode(parts[3]);
        byte[] actual = pbkdf2(password, Base64.getDecoder().decode(parts[2]), Integer.parseInt(parts[1]));
        return MessageDigest.isEqual(expected, actual);
    }

    /** Slow password comparisons made so far in this process (each costs one PBKDF2 derivation). */
    public static long passwordChecks() {
        return PASSWORD_CHECKS.sum();
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        try {
            PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

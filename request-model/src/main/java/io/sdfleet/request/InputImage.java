package io.sdfleet.request;

import java.util.regex.Pattern;

/**
 * How an init image or inpainting mask travels once the gateway accepted it: a reference to its PNG in storage,
 * {@code sdfleet-input:<sha-256 hex>}, so the bytes are written once and requests, their rows and job messages stay
 * small. Requests accepted before references existed hold the base64 PNG itself; both forms read.
 */
public final class InputImage {

    private static final String PREFIX = "sdfleet-input:";
    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    private InputImage() {
    }

    public static String reference(String sha256Hex) {
        if (!isDigest(sha256Hex)) {
            throw new IllegalArgumentException("not a SHA-256 in lower-case hex: " + sha256Hex);
        }
        return PREFIX + sha256Hex;
    }

    public static boolean isReference(String image) {
        return image != null && image.startsWith(PREFIX) && isDigest(image.substring(PREFIX.length()));
    }

    /** The SHA-256 a reference names. */
    public static String digestOf(String reference) {
        if (!isReference(reference)) {
            throw new IllegalArgumentException("not an input image reference: " + reference);
        }
        return reference.substring(PREFIX.length());
    }

    public static boolean isDigest(String text) {
        return text != null && DIGEST.matcher(text).matches();
    }
}

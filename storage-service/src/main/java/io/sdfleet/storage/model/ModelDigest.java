package io.sdfleet.storage.model;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Hashes a model file as it streams past: the full sha256 (A1111's {@code sha256}, of which the first 10 hex
 * characters are its "shorthash" shown as {@code [hash]} in titles and as infotext's Model hash) and A1111's legacy
 * {@code model_hash()}: sha256 of the 64 KiB at offset 1 MiB, first 8 hex characters (of empty input when the file
 * is shorter, as A1111 computes it).
 */
final class ModelDigest extends FilterInputStream {

    static final long LEGACY_OFFSET = 0x100000;
    static final long LEGACY_LENGTH = 0x10000;

    private final MessageDigest full = sha256();
    private final MessageDigest legacy = sha256();
    private long position;

    public ModelDigest(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            update(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            update(buffer, offset, n);
        }
        return n;
    }

    @Override
    public long skip(long n) {
        throw new UnsupportedOperationException("a hashed stream must be read, not skipped");
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void update(byte[] buffer, int offset, int n) {
        full.update(buffer, offset, n);
        long start = Math.max(position, LEGACY_OFFSET);
        long end = Math.min(position + n, LEGACY_OFFSET + LEGACY_LENGTH);
        if (start < end) {
            legacy.update(buffer, offset + (int) (start - position), (int) (end - start));
        }
        position += n;
    }

    /** Call once, after the stream is exhausted. */
    public Hashes finish() {
        String sha = HexFormat.of().formatHex(full.digest());
        String old = HexFormat.of().formatHex(legacy.digest()).substring(0, 8);
        return new Hashes(sha, sha.substring(0, 10), old);
    }

    public record Hashes(String sha256, String modelHash, String legacyHash) {
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

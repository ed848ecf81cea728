package io.sdfleet.diffusion.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A1111's model hash: the sha256 of the whole checkpoint file, of which infotext's {@code Model hash:} shows the
 * first 10 hex characters ({@code sd_checkpoint_info.shorthash}). Hashing a 4 GB file takes seconds, so the hash
 * is remembered for the life of the process, keyed by path, size and modification time. Nothing is written next to
 * the checkpoint: model folders may be shared or read-only, and must stay as the user left them.
 */
public final class ModelHash {

    public static final int SHORT_LENGTH = 10;
    private static final Map<String, String> CACHE = new ConcurrentHashMap<>();

    private ModelHash() {
    }

    /** The infotext "Model hash": first 10 hex characters of the file's sha256. */
    public static String shortHash(Path file) {
        return sha256(file).substring(0, SHORT_LENGTH);
    }

    /** The full sha256 in lower-case hex, computed once per file version in this process. */
    public static String sha256(Path file) {
        try {
            String key = file.toAbsolutePath().normalize() + "|" + Files.size(file) + "|"
                    + Files.getLastModifiedTime(file).toMillis();
            return CACHE.computeIfAbsent(key, k -> computeSha256(file));
        } catch (IOException e) {
            throw new CheckpointException("cannot hash " + file + ": " + e.getMessage(), e);
        }
    }
    /** Streams the file through sha256 without caching. */
    public static String computeSha256(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new CheckpointException("cannot hash " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

package io.sdfleet.diffusion.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A1111's model hash: the sha256 of the whole checkpoint file, of which infotext's {@code Model hash:} shows the
 * first 10 hex characters ({@code sd_checkpoint_info.shorthash}). Hashing a 4 GB file takes seconds, so the
 * full hash is remembered in a sidecar {@code <file>.sha256} together with the file's size and modification time,
 * and recomputed when either changes. A sidecar that cannot be written (read-only folder) is simply skipped.
 */
public final class ModelHash {

    public static final int SHORT_LENGTH = 10;

    private ModelHash() {
    }

    /** The infotext "Model hash": first 10 hex characters of the file's sha256. */
    public static String shortHash(Path file) {
        return sha256(file).substring(0, SHORT_LENGTH);
    }

    /** The full sha256 in lower-case hex, from the sidecar when it is still valid, else computed and cached. */
    public static String sha256(Path file) {
        Path sidecar = sidecarOf(file);
        try {
            String stamp = Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
            if (Files.isRegularFile(sidecar)) {
                String[] cached = Files.readString(sidecar, StandardCharsets.UTF_8).trim().split(" ", 2);
                if (cached.length == 2 && cached[1].equals(stamp) && cached[0].matches("[0-9a-f]{64}")) {
                    return cached[0];
                }
            }
            String hash = computeSha256(file);
            try {
                Files.writeString(sidecar, hash + " " + stamp + "\n", StandardCharsets.UTF_8);
            } catch (IOException readOnly) {
                // caching is an optimisation; the hash itself is correct without it
            }
            return hash;
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

    public static Path sidecarOf(Path file) {
        return file.resolveSibling(file.getFileName() + ".sha256");
    }
}

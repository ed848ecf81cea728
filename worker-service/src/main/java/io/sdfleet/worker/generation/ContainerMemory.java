package io.sdfleet.worker.generation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The memory limit of the container this worker runs in, from its cgroup: v2's {@code memory.max} and
 * {@code memory.current}, else v1's {@code memory/memory.limit_in_bytes} and {@code usage_in_bytes}. On CPU the
 * node's {@code /proc/meminfo} overstates what a container may use (its limit, not the node, decides when the OOM
 * killer comes), so a limit found here is what the worker reports as total and free.
 */
final class ContainerMemory {

    /** cgroup v1 writes "no limit" as a page-rounded Long.MAX_VALUE; anything this large is no limit either. */
    private static final long NO_LIMIT = 1L << 60;

    private ContainerMemory() {
    }

    /** {total, free} bytes under this process's cgroup limit, or empty when there is none. */
    static Optional<long[]> limit() {
        return limit(Path.of("/sys/fs/cgroup"));
    }

    /** As {@link #limit()}, with the cgroup file system mounted at {@code root}. */
    static Optional<long[]> limit(Path root) {
        Optional<long[]> v2 = read(root.resolve("memory.max"), root.resolve("memory.current"));
        if (Files.exists(root.resolve("memory.max"))) {
            return v2;
        }
        Path v1 = root.resolve("memory");
        return read(v1.resolve("memory.limit_in_bytes"), v1.resolve("memory.usage_in_bytes"));
    }

    private static Optional<long[]> read(Path limitFile, Path usageFile) {
        try {
            String limitText = Files.readString(limitFile).trim();
            if (limitText.equals("max")) {
                return Optional.empty();
            }
            long limit = Long.parseLong(limitText);
            if (limit <= 0 || limit >= NO_LIMIT) {
                return Optional.empty();
            }
            long usage = Long.parseLong(Files.readString(usageFile).trim());
            return Optional.of(new long[] {limit, Math.max(0, limit - usage)});
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // no such cgroup file, or one this parser does not know: the node's figures stand
        }
    }
}

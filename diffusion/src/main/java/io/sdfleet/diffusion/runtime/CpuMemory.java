package io.sdfleet.diffusion.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Memory a CPU worker may use: the machine's (/proc/meminfo), capped by its container's limit when it runs under
 * one. A pod limited to 8 GiB on a 256 GiB node must report 8 GiB, or batches get sized for memory it cannot have
 * and the OOM killer ends them. Reads cgroup v2 ({@code memory.max}, {@code memory.current}) and v1
 * ({@code memory.limit_in_bytes}, {@code memory.usage_in_bytes}) under the process's own cgroup.
 */
record CpuMemory(long totalBytes, long freeBytes) {

    /** What this process may use, read from the live system. */
    static CpuMemory current() {
        return read(Path.of("/proc/meminfo"), Path.of("/proc/self/cgroup"), Path.of("/sys/fs/cgroup"));
    }

    static CpuMemory read(Path meminfo, Path selfCgroup, Path cgroupFs) {
        long total = MemoryProbe.procField(meminfo, "MemTotal:");
        long free = MemoryProbe.procField(meminfo, "MemAvailable:");
        long[] limit = cgroupLimit(selfCgroup, cgroupFs);
        if (limit != null && (total < 0 || limit[0] < total)) {
            total = limit[0];
            long left = Math.max(0, limit[0] - limit[1]);
            free = free < 0 ? left : Math.min(free, left);
        }
        return new CpuMemory(total, free);
    }

    /** {limit, usage} in bytes of the process's memory cgroup, or null when it has no limit (or no cgroup). */
    private static long[] cgroupLimit(Path selfCgroup, Path cgroupFs) {
        try {
            for (String line : Files.readAllLines(selfCgroup)) {
                String[] parts = line.split(":", 3); // hierarchy-id:controllers:path
                if (parts.length < 3) {
                    continue;
                }
                Path dir = cgroupFs.resolve(parts[2].replaceFirst("^/", ""));
                if (parts[0].equals("0") && parts[1].isEmpty()) { // v2: one unified hierarchy
                    long[] v2 = limitIn(List.of(dir, cgroupFs), "memory.max", "memory.current");
                    if (v2 != null) {
                        return v2;
                    }
                } else if (List.of(parts[1].split(",")).contains("memory")) { // v1: the memory controller's own
                    Path v1Root = cgroupFs.resolve("memory");
                    long[] v1 = limitIn(List.of(v1Root.resolve(parts[2].replaceFirst("^/", "")), v1Root),
                            "memory.limit_in_bytes", "memory.usage_in_bytes");
                    if (v1 != null) {
                        return v1;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The first folder with a numeric limit below "unlimited" (v1 writes a huge number for none). */
    private static long[] limitIn(List<Path> dirs, String limitFile, String usageFile) throws IOException {
        for (Path dir : dirs) {
            Path limit = dir.resolve(limitFile);
            if (!Files.isRegularFile(limit)) {
                continue;
            }
            String text = Files.readString(limit).trim();
            if (text.equals("max") || !text.matches("\\d{1,19}")) {
                return null;
            }
            long bytes = Long.parseLong(text);
            if (bytes >= Long.MAX_VALUE / 2) {
                return null;
            }
            Path usage = dir.resolve(usageFile);
            long used = Files.isRegularFile(usage) ? Long.parseLong(Files.readString(usage).trim()) : 0;
            return new long[] {bytes, used};
        }
        return null;
    }
}

package io.sdfleet.diffusion.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A CPU worker in a container reports its container's limit, not the node's memory (issue 14). */
class CpuMemoryTest {

    private static final long GIB = 1L << 30;

    @Test
    void aCgroupV2LimitCapsTheMachinesMemory(@TempDir Path dir) throws Exception {
        Path meminfo = meminfo(dir, 256 * GIB, 200 * GIB);
        Path cgroupFs = Files.createDirectories(dir.resolve("fs/kubepods/pod1"));
        Files.writeString(cgroupFs.resolve("memory.max"), String.valueOf(8 * GIB) + "\n");
        Files.writeString(cgroupFs.resolve("memory.current"), String.valueOf(3 * GIB) + "\n");
        Path self = Files.writeString(dir.resolve("cgroup"), "0::/kubepods/pod1\n");

        CpuMemory m = CpuMemory.read(meminfo, self, dir.resolve("fs"));
        assertThat(m.totalBytes()).isEqualTo(8 * GIB);
        assertThat(m.freeBytes()).isEqualTo(5 * GIB);
    }

    @Test
    void aCgroupV1LimitCapsItToo(@TempDir Path dir) throws Exception {
        Path meminfo = meminfo(dir, 64 * GIB, 60 * GIB);
        Path memory = Files.createDirectories(dir.resolve("fs/memory/docker/abc"));
        Files.writeString(memory.resolve("memory.limit_in_bytes"), String.valueOf(4 * GIB));
        Files.writeString(memory.resolve("memory.usage_in_bytes"), String.valueOf(GIB));
        Path self = Files.writeString(dir.resolve("cgroup"), "12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n");

        CpuMemory m = CpuMemory.read(meminfo, self, dir.resolve("fs"));
        assertThat(m.totalBytes()).isEqualTo(4 * GIB);
        assertThat(m.freeBytes()).isEqualTo(3 * GIB);
    }

    @Test
    void withoutALimitTheMachinesMemoryIsReported(@TempDir Path dir) throws Exception {
        Path meminfo = meminfo(dir, 24 * GIB, 20 * GIB);
        Files.createDirectories(dir.resolve("fs"));
        Files.writeString(dir.resolve("fs/memory.max"), "max\n");
        Path self = Files.writeString(dir.resolve("cgroup"), "0::/\n");
        assertThat(CpuMemory.read(meminfo, self, dir.resolve("fs"))).isEqualTo(new CpuMemory(24 * GIB, 20 * GIB));
        assertThat(CpuMemory.read(meminfo, dir.resolve("no-such-file"), dir.resolve("fs")))
                .isEqualTo(new CpuMemory(24 * GIB, 20 * GIB));
        assertThat(CpuMemory.current().totalBytes()).as("this machine").isPositive();
    }

    private static Path meminfo(Path dir, long total, long available) throws Exception {
        return Files.writeString(dir.resolve("meminfo"), "MemTotal:       " + total / 1024 + " kB\nMemFree:  1 kB\n"
                + "MemAvailable:   " + available / 1024 + " kB\n");
    }
}

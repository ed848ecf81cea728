package io.sdfleet.worker.generation;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The cgroup memory files as the kernel writes them, v2 and v1, with and without a limit. */
class ContainerMemoryTest {

    @TempDir
    Path root;

    @Test
    void cgroupV2LimitAndUsageGiveTotalAndFree() throws IOException {
        Files.writeString(root.resolve("memory.max"), "4294967296\n");
        Files.writeString(root.resolve("memory.current"), "1073741824\n");
        assertThat(ContainerMemory.limit(root)).hasValueSatisfying(m ->
                assertThat(m).containsExactly(4294967296L, 3221225472L));
    }

    @Test
    void cgroupV2MaxIsNoLimitAndV1IsNotConsulted() throws IOException {
        Files.writeString(root.resolve("memory.max"), "max\n");
        Files.writeString(root.resolve("memory.current"), "1073741824\n");
        Files.createDirectories(root.resolve("memory"));
        Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "1000\n");
        Files.writeString(root.resolve("memory/memory.usage_in_bytes"), "10\n");
        assertThat(ContainerMemory.limit(root)).isEmpty();
    }

    @Test
    void cgroupV1LimitAndUsage() throws IOException {
        Files.createDirectories(root.resolve("memory"));
        Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "2147483648\n");
        Files.writeString(root.resolve("memory/memory.usage_in_bytes"), "536870912\n");
        assertThat(ContainerMemory.limit(root)).hasValueSatisfying(m ->
                assertThat(m).containsExactly(2147483648L, 1610612736L));
    }

    @Test
    void cgroupV1UnlimitedIsNoLimit() throws IOException {
        Files.createDirectories(root.resolve("memory"));
        Files.writeString(root.resolve("memory/memory.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(root.resolve("memory/memory.usage_in_bytes"), "536870912\n");
        assertThat(ContainerMemory.limit(root)).isEmpty();
    }

    @Test
    void usageAboveTheLimitLeavesNothingFree() throws IOException {
        Files.writeString(root.resolve("memory.max"), "1000\n");
        Files.writeString(root.resolve("memory.current"), "1200\n");
        assertThat(ContainerMemory.limit(root)).hasValueSatisfying(m -> assertThat(m).containsExactly(1000L, 0L));
    }

    @Test
    void noCgroupFilesMeansTheNodesFiguresStand() {
        assertThat(ContainerMemory.limit(root)).isEmpty();
    }
}

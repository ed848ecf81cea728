package io.sdfleet.diffusion.runtime;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;

import java.io.IOException;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory the engine uses, where it lives: GPU memory on CUDA, the process's resident native memory on CPU
 * (DJL tensors are native, so the Java heap says nothing about them).
 */
public final class MemoryProbe {

    private static final Path STATUS = Path.of("/proc/self/status");

    private MemoryProbe() {
    }

    /** Current resident set size in bytes (VmRSS), or -1 where /proc is unavailable. */
    public static long residentBytes() {
        return statusField("VmRSS:");
    }

    /** Peak resident set size of this process in bytes (VmHWM), or -1. */
    public static long peakResidentBytes() {
        return statusField("VmHWM:");
    }

    /**
     * Restarts the CPU peak (VmHWM) so that {@link #peakResidentBytes()} covers one run; Linux resets it when "5"
     * is written to /proc/self/clear_refs. Returns false where that is not possible.
     */
    public static boolean resetPeakResident() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Bytes in use on {@code device}: GPU memory for a GPU, resident memory for the CPU. */
    public static long usedBytes(Device device) {
        if (device.isGpu()) {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            return usage.getUsed();
        }
        return residentBytes();
    }

    /** Total bytes of {@code device}: GPU memory, or for the CPU physical memory capped by a container limit. */
    public static long totalBytes(Device device) {
        if (device.isGpu()) {
            return CudaUtils.getGpuMemory(device).getMax();
        }
        return CpuMemory.current().totalBytes();
    }

    /** Free bytes of {@code device}: GPU free memory, or for the CPU what is available within any container limit. */
    public static long freeBytes(Device device) {
        if (device.isGpu()) {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            return usage.getMax() - usage.getUsed();
        }
        return CpuMemory.current().freeBytes();
    }

    private static long statusField(String name) {
        return procField(STATUS, name);
    }

    /** A "Name:  1234 kB" field of a /proc file, in bytes, or -1. */
    static long procField(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024L;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}

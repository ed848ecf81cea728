package io.sdfleet.diffusion.runtime;

import ai.djl.Device;

/**
 * The peak memory of one run on one device. On CPU the kernel keeps the peak (VmHWM, reset at start); on a GPU
 * DJL offers only "used now", so the peak is the largest of the samples taken (once per denoising step).
 */
public final class PeakMemory {

    private final Device device;
    private long peak;

    private PeakMemory(Device device) {
        this.device = device;
        if (!device.isGpu()) {
            MemoryProbe.resetPeakResident();
        }
        sample();
    }

    public static PeakMemory start(Device device) {
        return new PeakMemory(device);
    }

    /** Records the current usage; call at the points where memory is highest (after each UNet step). */
    public void sample() {
        long now = device.isGpu() ? MemoryProbe.usedBytes(device) : MemoryProbe.peakResidentBytes();
        peak = Math.max(peak, now);
    }

    public long peakBytes() {
        sample();
        return peak;
    }
}

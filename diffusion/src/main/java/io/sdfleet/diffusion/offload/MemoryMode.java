package io.sdfleet.diffusion.offload;

/**
 * A1111's VRAM modes: where the model's weights live while it runs.
 * <ul>
 * <li>{@link #PLAIN}: every weight on the compute device all the time.</li>
 * <li>{@link #MEDVRAM}: weights rest on the CPU; the text encoder, the UNet and the VAE each come to the compute
 * device when they run, and leave when another one comes.</li>
 * <li>{@link #LOWVRAM}: as MEDVRAM, but the UNet's input, middle and output blocks come one at a time; its small
 * rest (time embedding, output head) stays once it has come.</li>
 * </ul>
 */
public enum MemoryMode {
    PLAIN, MEDVRAM, LOWVRAM;

    /** Whether weights rest away from the compute device. */
    public boolean offloads() {
        return this != PLAIN;
    }
}

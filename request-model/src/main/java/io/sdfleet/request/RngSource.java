package io.sdfleet.request;

import java.util.Locale;

/**
 * A1111's "Random number generator source" setting. CPU: torch's CPU generator, the same on every machine. NV:
 * A1111's Philox imitation of torch.randn on NVIDIA GPUs, so seeds from GPU users reproduce anywhere. (A1111's
 * third choice, "GPU", depends on the device and is not offered.)
 */
public enum RngSource {
    CPU,
    NV;

    /** The infotext value A1111 writes under "RNG". */
    public String label() {
        return name();
    }

    /** Parses "CPU" or "NV" (any case); blank means CPU, A1111's default. */
    public static RngSource parse(String text) {
        if (text == null || text.isBlank()) {
            return CPU;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown RNG source '" + text + "' (use CPU or NV)", e);
        }
    }
}

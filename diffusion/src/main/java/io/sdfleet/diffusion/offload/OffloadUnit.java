package io.sdfleet.diffusion.offload;

/**
 * Weights that move together: every parameter whose key starts with {@code prefix}, except those of a unit with a
 * longer prefix inside it. A pinned unit stays on the compute device once it has come (LOWVRAM's UNet rest).
 */
public record OffloadUnit(String prefix, boolean pinned) {
}

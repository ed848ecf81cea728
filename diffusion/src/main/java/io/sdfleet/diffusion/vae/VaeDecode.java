package io.sdfleet.diffusion.vae;

import ai.djl.ndarray.NDArray;

/**
 * A decode's image [B, 3, H, W] and whether this call found the fp16 VAE's output non-finite and converted the VAE
 * to fp32 to decode again (after which the VAE stays fp32, so later calls report false).
 */
public record VaeDecode(NDArray image, boolean revertedToFloat32) {
}

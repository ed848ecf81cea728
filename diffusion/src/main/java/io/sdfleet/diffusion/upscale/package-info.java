/**
 * The ESRGAN-family upscalers and A1111's simple ones, as A1111 v1.10 runs them: {@link RrdbNet} (ESRGAN's RRDB
 * network, read from old-arch ESRGAN files and Real-ESRGAN's BasicSR files alike, see {@link RrdbKeys}), the
 * 8-bit patch conversions and tiling of its {@code upscaler_utils} ({@link ModelUpscaler}, {@link TileGrid}), and
 * {@link Upscaler#upscale}'s pass loop with the final Lanczos resize. Images are {@code PixelPlanes} (RGB, 0..255).
 */
package io.sdfleet.diffusion.upscale;

/**
 * Pixel-level image work: conversions between VAE tensors and 8-bit images, Pillow-compatible resizing, A1111's resize
 * modes and cheap latent previews, and PNG files with infotext chunks. These classes know nothing of models or
 * sampling.
 */
package io.sdfleet.diffusion.image;

/**
 * GFPGAN v1.4 as A1111 runs it through spandrel ({@code GFPGANv1Clean}): a U-Net encoder whose features condition
 * a StyleGAN2 decoder through spatial feature transforms.
 */
package io.sdfleet.diffusion.restore.gfpgan;

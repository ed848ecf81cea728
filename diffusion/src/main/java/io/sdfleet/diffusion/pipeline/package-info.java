/**
 * A generation end to end: loading a checkpoint into a StableDiffusionModel, the parameters of a run, prompt encoding,
 * txt2img, img2img, inpainting and the hires fix, and the infotext written with each image. This is the engine's public
 * entry point; the other packages supply its parts.
 */
package io.sdfleet.diffusion.pipeline;

/**
 * A generation end to end on a loaded model: prompt encoding, txt2img, img2img, inpainting and the hires fix as
 * numbered steps of one ImageGeneration, each sampling pass, and the run's settings that go with every UNet and VAE
 * call. This is the engine's public entry point; the other packages supply its parts (loading the model, sampling,
 * infotext).
 */
package io.sdfleet.diffusion.pipeline;

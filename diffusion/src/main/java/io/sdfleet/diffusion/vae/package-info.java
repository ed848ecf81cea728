/**
 * SD's KL autoencoder: encoder, decoder and the latent distribution, with tiled decoding and encoding for images too
 * large to run in one piece. It maps between pixels and latents and is used by the pipeline at the start of img2img and
 * at the end of every run; what one run chooses (padding, attention chunking, tiles) comes with each call as
 * VaeSettings, so a loaded VAE is never changed by a run.
 */
package io.sdfleet.diffusion.vae;

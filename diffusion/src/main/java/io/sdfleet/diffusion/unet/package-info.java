/**
 * The CompVis LDM UNet in its checkpoint key layout: residual blocks, spatial transformers with cross-attention,
 * resampling and the timestep embedding. It implements the NoisePredictor the samplers call; what one run chooses
 * (padding, attention chunking, hypernetworks) comes with each call as UNetSettings, so a loaded UNet is never
 * changed by a run.
 */
package io.sdfleet.diffusion.unet;

/**
 * The CompVis LDM UNet in its checkpoint key layout: residual blocks, spatial transformers with cross-attention,
 * resampling and the timestep embedding. It implements the NoisePredictor the samplers call.
 */
package io.sdfleet.diffusion.unet;

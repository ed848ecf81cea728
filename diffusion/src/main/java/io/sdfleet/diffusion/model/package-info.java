/**
 * The two interfaces through which the rest of the engine sees the networks: a NoisePredictor (the UNet as a sampler
 * sees it) and a TextEncoder (the CLIP text model as the conditioning layer sees it). Keeping them here lets samplers
 * and prompt code work without depending on the network packages.
 */
package io.sdfleet.diffusion.model;

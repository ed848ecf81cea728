/**
 * The samplers and schedules: k-diffusion's samplers, DDIM and UniPC, the sigma schedules, classifier-free guidance and
 * the masked denoiser for inpainting, and the catalog under A1111's names. They see the UNet only as a NoisePredictor
 * and do not depend on its code.
 */
package io.sdfleet.diffusion.sampling;

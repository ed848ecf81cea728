/**
 * SDXL's conditioning as A1111 computes it ({@code sd_models_xl.get_learned_conditioning} over sgm's
 * {@code GeneralConditioner}): the base's two text towers (CLIP ViT-L and OpenCLIP bigG) or the refiner's one,
 * each read at its penultimate layer and joined along channels into the UNet's context, and the vector {@code y}
 * of bigG's pooled embedding and the Fourier features of the image size, crop and (refiner) aesthetic score.
 */
package io.sdfleet.diffusion.sdxl;

/**
 * A1111's Extras tab: postprocessing a given image with an upscale (one or two upscalers, blended), GFPGAN and
 * CodeFormer, in A1111's order and with its blends and infotext.
 */
package io.sdfleet.diffusion.extras;

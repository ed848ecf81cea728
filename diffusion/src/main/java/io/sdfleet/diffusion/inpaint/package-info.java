/**
 * The pixel side of img2img and inpainting as A1111 does it: mask options and blur, the fill modes, the crop region of
 * "inpaint only masked", preparing init images and laying the original back over the result. The latent side lives in
 * the pipeline.
 */
package io.sdfleet.diffusion.inpaint;

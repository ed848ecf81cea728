/**
 * The CLIP text towers that turn token ids into conditioning: Hugging Face's CLIPTextModel layout for SD 1.x and
 * OpenCLIP's text transformer for SD 2.x, with their layers and causal mask. Both implement the TextEncoder of the
 * model package, so the prompt side does not depend on either.
 */
package io.sdfleet.diffusion.clip;

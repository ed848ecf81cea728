/**
 * A1111's extra networks: the <lora:...> and <hypernet:...> prompt tags, LoRA files merged into and taken out of a
 * loaded model, hypernetworks loaded for one run's UNet attention, and textual-inversion embeddings found in prompts.
 * They serve one generation on a loaded model, so they are kept apart from the model code itself.
 */
package io.sdfleet.diffusion.networks;

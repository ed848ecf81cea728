/**
 * A1111's extra networks: the <lora:...> and <hypernet:...> prompt tags, LoRA files merged into and taken out of a
 * loaded model, hypernetworks hooked into the UNet's attention, and textual-inversion embeddings found in prompts. They
 * change a loaded model for one generation, so they are kept apart from the model code itself.
 */
package io.sdfleet.diffusion.networks;

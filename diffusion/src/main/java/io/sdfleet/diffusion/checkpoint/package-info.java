/**
 * Reading model files without running Python: .safetensors, torch.save zip and legacy files (through a restricted
 * unpickler) and diffusers folders, all seen in the LDM key layout as a TensorSource. Model code reads its weights
 * through nn's Weights and never needs to know which format they came from.
 */
package io.sdfleet.diffusion.checkpoint;

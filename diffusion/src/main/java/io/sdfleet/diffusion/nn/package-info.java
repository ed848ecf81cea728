/**
 * The building blocks the networks are made of: parameters and the weights view they are loaded through (a
 * checkpoint's tensors under a key prefix), linear and convolution layers, norms, activations and attention, plus the
 * scope that frees intermediates and synthetic SD 1.x checkpoints for tests and benchmarks. They wrap DJL's operators
 * and are shared by the CLIP, UNet and VAE packages.
 */
package io.sdfleet.diffusion.nn;

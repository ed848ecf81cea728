/**
 * Loading a Stable Diffusion 1.x or 2.x checkpoint for generation: the options it is loaded with (device, precision,
 * attention chunking, memory mode, VAE tiles), what it is (SD 1.x or 2.x, ε or v prediction, from a config sidecar, a
 * JSON sidecar or a probe of its UNet), its offload units, and the external VAEs runs may use instead of its own. The
 * loaded StableDiffusionModel is shared by every run on it; nothing a run chooses is set on it.
 */
package io.sdfleet.diffusion.loading;

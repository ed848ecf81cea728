/**
 * A1111's memory modes (medvram, lowvram): offload units and how their weights move between the CPU and the compute
 * device while a generation runs. The networks only announce what they are about to run; the moving happens here.
 * Which parts of a Stable Diffusion checkpoint form the units is the loading package's (it knows the model's layout).
 */
package io.sdfleet.diffusion.offload;

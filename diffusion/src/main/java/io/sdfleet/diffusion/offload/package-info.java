/**
 * A1111's memory modes (medvram, lowvram): which parts of a model form offload units and how their weights move between
 * the CPU and the compute device while a generation runs. The networks only announce what they are about to run; the
 * moving happens here.
 */
package io.sdfleet.diffusion.offload;

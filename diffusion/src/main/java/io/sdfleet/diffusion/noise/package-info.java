/**
 * Seeded noise exactly as A1111 draws it: torch's CPU generator and the Philox imitation of NVIDIA's, variation seeds
 * mixed in by slerp, and "resize seed from" pasting. Reproducing A1111's images from a seed depends on this package
 * alone.
 */
package io.sdfleet.diffusion.noise;

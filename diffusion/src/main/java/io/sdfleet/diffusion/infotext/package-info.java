/**
 * A1111's generation-parameters text (infotext) as PNGs carry it: writing it for each generated image (the keys A1111
 * writes, in its order, with its number formatting and the engine's version) and parsing it back, which the gateway
 * does without running the engine. It knows the request and the samplers, not the model or the pipeline: a run hands
 * it the names and hashes it used.
 */
package io.sdfleet.diffusion.infotext;

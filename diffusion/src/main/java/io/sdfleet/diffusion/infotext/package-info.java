/**
 * Parsing of A1111's generation-parameters text (infotext) as PNGs carry it. It is separate from the pipeline, which
 * writes infotexts, because the gateway reads them back without running the engine.
 */
package io.sdfleet.diffusion.infotext;

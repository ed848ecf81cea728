/**
 * A tiny SD 1.x checkpoint with random weights and its tokenizer, written on demand so that a fresh install can run the
 * whole pipeline before any real model is downloaded. It is separate because nothing in the engine needs it.
 */
package io.sdfleet.diffusion.starter;

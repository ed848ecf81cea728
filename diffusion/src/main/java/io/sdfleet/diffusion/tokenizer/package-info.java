/**
 * CLIP's byte-level BPE tokenizer with the text clean-up it runs first (HTML entities, the relevant parts of ftfy). It
 * turns text into token ids and knows nothing of A1111's prompt syntax.
 */
package io.sdfleet.diffusion.tokenizer;

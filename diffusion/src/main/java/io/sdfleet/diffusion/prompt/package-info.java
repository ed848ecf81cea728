/**
 * A1111's prompt language: emphasis, prompt editing and alternation, composable AND, styles, BREAK and the 75-token
 * chunking, with the encoder that applies emphasis to the text model's output. The tokenizer turns text into ids; this
 * package decides which text is encoded when and with what weight.
 */
package io.sdfleet.diffusion.prompt;

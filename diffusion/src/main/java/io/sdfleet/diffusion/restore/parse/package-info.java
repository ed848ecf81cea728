/** facexlib's ParseNet face parser and the soft face mask it yields for pasting a restored face back. */
package io.sdfleet.diffusion.restore.parse;

/**
 * Restore faces as A1111 runs it: facexlib's detection, alignment, parsing and paste-back around a face restoration
 * network (GFPGAN, CodeFormer).
 */
package io.sdfleet.diffusion.restore;

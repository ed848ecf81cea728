/**
 * Restore faces as A1111 runs it: facexlib's detection, alignment, parsing and paste-back around a face restoration
 * network (GFPGAN, CodeFormer). {@link io.sdfleet.diffusion.restore.FaceRestoreHelper} runs everything after
 * detection; {@code align} (landmarks → 512×512 crop), {@code parse} (ParseNet → soft mask), {@code paste}
 * (paste-back) and {@code opencv} (the OpenCV operations they need, to the bit) are its parts.
 */
package io.sdfleet.diffusion.restore;

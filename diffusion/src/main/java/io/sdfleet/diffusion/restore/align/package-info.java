/**
 * Face alignment as facexlib's {@code FaceRestoreHelper.align_warp_face}: the five-landmark similarity to the FFHQ
 * template by OpenCV's LMedS, the 512×512 crop, and the inverse for pasting back.
 */
package io.sdfleet.diffusion.restore.align;

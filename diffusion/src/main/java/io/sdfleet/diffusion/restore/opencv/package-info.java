/**
 * The OpenCV 4.6 image operations facexlib's face helper calls, reproduced to the bit where OpenCV is exact:
 * {@code warpAffine} (fixed-point bilinear), {@code GaussianBlur} and {@code erode}.
 */
package io.sdfleet.diffusion.restore.opencv;

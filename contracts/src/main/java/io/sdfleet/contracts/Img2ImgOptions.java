package io.sdfleet.contracts;

import java.util.List;

/**
 * What img2img and inpainting add, with A1111's field meanings. Images travel inside the message as base64 PNG
 * (the gateway caps their size), so a job is complete in itself and a redelivered job needs nothing else.
 *
 * @param initImages     base64 PNGs; image k of a batch starts from {@code initImages[k % n]}
 * @param resizeMode     0 just resize, 1 crop and resize, 2 resize and fill
 * @param mask           base64 PNG, white = repaint; null for plain img2img
 * @param inpaintingFill 0 fill, 1 original, 2 latent noise, 3 latent nothing
 */
public record Img2ImgOptions(List<String> initImages, double denoisingStrength, int resizeMode, String mask,
                             int maskBlur, int inpaintingFill, boolean inpaintFullRes, int inpaintFullResPadding,
                             boolean inpaintingMaskInvert) {
}

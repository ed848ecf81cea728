package io.sdfleet.diffusion.pipeline;

import java.awt.image.BufferedImage;

/** One finished image: pixels, the seed that reproduces it alone, its A1111 infotext and PNG bytes carrying it. */
public record GeneratedImage(int index, long seed, BufferedImage image, String infotext, byte[] png) {
}

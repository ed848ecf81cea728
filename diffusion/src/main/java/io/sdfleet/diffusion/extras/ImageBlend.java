package io.sdfleet.diffusion.extras;

import io.sdfleet.diffusion.image.PixelPlanes;

/**
 * PIL's {@code Image.blend(a, b, alpha)} as A1111's Extras uses it for upscaler 2 and the face restorers' visibility:
 * {@code out = (UINT8)(a + alpha·(b − a))}, in float32 and truncated, as Pillow's ImagingBlend computes it.
 */
public final class ImageBlend {

    private ImageBlend() {
    }

    public static PixelPlanes blend(PixelPlanes a, PixelPlanes b, double alpha) {
        if (a.width() != b.width() || a.height() != b.height() || a.channels().length != b.channels().length) {
            throw new IllegalArgumentException("blend needs images of one size: " + a.width() + "x" + a.height()
                    + " and " + b.width() + "x" + b.height());
        }
        float f = (float) alpha;
        int[][][] out = new int[a.channels().length][a.height()][a.width()];
        for (int c = 0; c < out.length; c++) {
            for (int y = 0; y < a.height(); y++) {
                int[] pa = a.channels()[c][y];
                int[] pb = b.channels()[c][y];
                for (int x = 0; x < a.width(); x++) {
                    float v = pa[x] + f * (pb[x] - pa[x]);
                    out[c][y][x] = Math.clamp((int) v, 0, 255);
                }
            }
        }
        return new PixelPlanes(out);
    }
}

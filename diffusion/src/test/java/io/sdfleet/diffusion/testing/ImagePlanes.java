package io.sdfleet.diffusion.testing;

import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.image.PixelPlanes;

import static org.assertj.core.api.Assertions.assertThat;

/** The reference's 8-bit images (numpy HWC) as engine planes, and how far two images are apart. */
public final class ImagePlanes {

    private ImagePlanes() {
    }

    /** An [H, W, 3] uint8 tensor as planes, in the channel order it is stored in. */
    public static PixelPlanes hwc(StoredTensor hwc) {
        int h = (int) hwc.shape()[0];
        int w = (int) hwc.shape()[1];
        float[] v = hwc.toFloats();
        int[][][] c = new int[3][h][w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int ch = 0; ch < 3; ch++) {
                    c[ch][y][x] = (int) v[(y * w + x) * 3 + ch];
                }
            }
        }
        return new PixelPlanes(c);
    }

    /** The largest per-channel difference of two images, which must be the same size. */
    public static int maxDiff(PixelPlanes a, PixelPlanes b) {
        assertThat(a.width()).as("width").isEqualTo(b.width());
        assertThat(a.height()).as("height").isEqualTo(b.height());
        assertThat(a.channels().length).as("channels").isEqualTo(b.channels().length);
        int max = 0;
        for (int c = 0; c < a.channels().length; c++) {
            for (int y = 0; y < a.height(); y++) {
                for (int x = 0; x < a.width(); x++) {
                    max = Math.max(max, Math.abs(a.channels()[c][y][x] - b.channels()[c][y][x]));
                }
            }
        }
        return max;
    }
}

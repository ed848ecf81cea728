package io.sdfleet.diffusion.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.vae.Autoencoder;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import io.sdfleet.diffusion.vae.Posterior;

/** Decodes any latents to one fixed image; remembers, as 8-bit planes, the image it is asked to encode. */
final class PixelsVae implements Autoencoder {
    private final PixelPlanes decoded;
    /** The last image {@link #encode} was given. */
    PixelPlanes encoded;

    PixelsVae(PixelPlanes decoded) {
        this.decoded = decoded;
    }

    @Override
    public NDArray decode(NDArray z) {
        int w = decoded.width();
        int h = decoded.height();
        float[] v = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    // the middle of the value's step, so that (v + 1) / 2 · 255 truncates back to it
                    v[(c * h + y) * w + x] = (decoded.channels()[c][y][x] + 0.5f) / 255f * 2f - 1f;
                }
            }
        }
        return z.getManager().create(v, new Shape(1, 3, h, w));
    }

    @Override
    public float scaleFactor() {
        return AutoencoderKL.SD_SCALE_FACTOR;
    }

    @Override
    public Posterior encode(NDArray image) {
        long[] s = image.getShape().getShape();
        int h = (int) s[2];
        int w = (int) s[3];
        float[] v = image.toType(DataType.FLOAT32, false).toFloatArray();
        int[][][] c = new int[3][h][w];
        for (int ch = 0; ch < 3; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    c[ch][y][x] = Math.round((v[(ch * h + y) * w + x] + 1f) / 2f * 255f);
                }
            }
        }
        encoded = new PixelPlanes(c);
        NDManager m = image.getManager();
        Shape latent = new Shape(s[0], 4, h / 8, w / 8);
        return new Posterior(m.zeros(latent), m.zeros(latent), m.ones(latent));
    }
}

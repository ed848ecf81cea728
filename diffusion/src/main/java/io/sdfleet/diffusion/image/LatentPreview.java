package io.sdfleet.diffusion.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.awt.image.BufferedImage;

/**
 * A1111's "Approx cheap" live preview: each latent pixel's 4 channels mapped to RGB by a fixed linear map (the
 * coefficients of A1111's {@code sd_vae_approx.cheap_approximation}, fitted to the SD 1.x VAE), giving a 1/8-size
 * picture of where a run is heading at almost no cost — no VAE call.
 */
public final class LatentPreview {

    /** [latent channel][RGB], from A1111's sd_vae_approx.py. */
    private static final float[][] COEFFICIENTS = {
            {0.298f, 0.207f, 0.208f},
            {0.187f, 0.286f, 0.173f},
            {-0.158f, 0.189f, 0.264f},
            {-0.184f, -0.271f, -0.473f},
    };

    private LatentPreview() {
    }

    /** Image {@code index} of model-space latents [B, 4, h, w] as an h × w RGB picture. */
    public static BufferedImage of(NDArray latents, int index) {
        long[] s = latents.getShape().getShape();
        int h = (int) s[2];
        int w = (int) s[3];
        float[] v;
        try (NDArray one = latents.get(index); NDArray f = one.toType(DataType.FLOAT32, false)) {
            v = f.toFloatArray();
        }
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = 0;
                for (int c = 0; c < 3; c++) {
                    float sum = 0;
                    for (int l = 0; l < 4; l++) {
                        sum += v[l * plane + y * w + x] * COEFFICIENTS[l][c];
                    }
                    // A1111 maps the approximation from [−1, 1] to [0, 1] and clamps.
                    int value = (int) (255f * Math.max(0f, Math.min(1f, sum * 0.5f + 0.5f)));
                    rgb = (rgb << 8) | value;
                }
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }
}

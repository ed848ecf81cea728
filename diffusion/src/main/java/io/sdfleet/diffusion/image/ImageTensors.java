package io.sdfleet.diffusion.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** Conversions between decoded VAE tensors and 8-bit images. */
public final class ImageTensors {

    private ImageTensors() {
    }

    /**
     * A1111's conversion of a decoded batch [B, 3, H, W] in [-1, 1]: {@code clamp((x + 1) / 2, 0, 1)}, times 255,
     * truncated to uint8 (numpy's {@code astype(np.uint8)}).
     */
    public static List<BufferedImage> toImages(NDArray decoded) {
        long[] s = decoded.getShape().getShape();
        int b = (int) s[0];
        int h = (int) s[2];
        int w = (int) s[3];
        float[] rgb;
        try (NDArray unit = decoded.toType(DataType.FLOAT32, false).add(1f).div(2f).clip(0f, 1f)) {
            rgb = unit.toFloatArray();
        }
        List<BufferedImage> images = new ArrayList<>(b);
        int plane = h * w;
        for (int n = 0; n < b; n++) {
            BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            int base = n * 3 * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = y * w + x;
                    int r = (int) (rgb[base + i] * 255f);
                    int g = (int) (rgb[base + plane + i] * 255f);
                    int bl = (int) (rgb[base + 2 * plane + i] * 255f);
                    image.setRGB(x, y, (r << 16) | (g << 8) | bl);
                }
            }
            images.add(image);
        }
        return images;
    }
}

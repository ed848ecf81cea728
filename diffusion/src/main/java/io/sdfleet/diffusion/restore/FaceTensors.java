package io.sdfleet.diffusion.restore;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.image.PixelPlanes;

/**
 * A1111's conversions around a face restoration network ({@code face_restoration_utils}): the aligned 8-bit crop to
 * the network's [1, 3, H, W] RGB tensor in [−1, 1], and the network's output back to 8 bits.
 */
public final class FaceTensors {

    private FaceTensors() {
    }

    /**
     * {@code normalize(bgr_image_to_rgb_tensor(crop / 255.0), 0.5, 0.5)}: the division in float64, then float32,
     * then (x − 0.5) / 0.5 in float32.
     */
    public static NDArray toNetworkInput(PixelPlanes crop, NDManager manager) {
        int h = crop.height();
        int w = crop.width();
        float[] values = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = (float) (crop.channels()[c][y][x] / 255.0);
                    values[(c * h + y) * w + x] = (v - 0.5f) / 0.5f;
                }
            }
        }
        return manager.create(values, new Shape(1, 3, h, w));
    }

    /**
     * {@code (rgb_tensor_to_bgr_image(out, min_max=(-1, 1)) * 255.0).astype(uint8)}: clamp to [−1, 1],
     * (x + 1) / 2, times 255, all in float32, then truncation.
     */
    public static PixelPlanes fromNetworkOutput(NDArray output) {
        long[] shape = output.getShape().getShape();
        int h = (int) shape[shape.length - 2];
        int w = (int) shape[shape.length - 1];
        float[] values = output.toType(DataType.FLOAT32, false).toFloatArray();
        int[][][] out = new int[3][h][w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = Math.min(1f, Math.max(-1f, values[(c * h + y) * w + x]));
                    float unit = (v - (-1f)) / (1f - (-1f));
                    out[c][y][x] = (int) (unit * 255f);
                }
            }
        }
        return new PixelPlanes(out);
    }
}

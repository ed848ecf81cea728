package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

/** GFPGAN's bilinear resampling against torch's align_corners=False formulas, written out per pixel. */
class BilinearTest {

    private static final int H = 6;
    private static final int W = 8;

    @Test
    void halvingAveragesEachTwoByTwoCell() {
        float[] x = values();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            float[] out = Bilinear.halved(m.create(x, new Shape(1, 1, H, W))).toFloatArray();
            for (int y = 0; y < H / 2; y++) {
                for (int c = 0; c < W / 2; c++) {
                    // source (2y + ½, 2c + ½): weight ½ on rows 2y, 2y+1 and columns 2c, 2c+1
                    float top = 0.5f * x[2 * y * W + 2 * c] + 0.5f * x[2 * y * W + 2 * c + 1];
                    float bottom = 0.5f * x[(2 * y + 1) * W + 2 * c] + 0.5f * x[(2 * y + 1) * W + 2 * c + 1];
                    assertThat(out[y * (W / 2) + c]).isCloseTo(0.5f * top + 0.5f * bottom,
                            offset(1e-6f));
                }
            }
        }
    }

    @Test
    void doublingInterpolatesQuarterWayWithEdgesClamped() {
        float[] x = values();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray doubled = Bilinear.doubled(m.create(x, new Shape(1, 1, H, W)));
            assertThat(doubled.getShape()).isEqualTo(new Shape(1, 1, 2 * H, 2 * W));
            float[] out = doubled.toFloatArray();
            for (int y = 0; y < 2 * H; y++) {
                for (int c = 0; c < 2 * W; c++) {
                    assertThat(out[y * 2 * W + c]).as("(%d, %d)", y, c)
                            .isCloseTo(expectedDoubled(x, y, c), offset(1e-5f));
                }
            }
        }
    }

    /** torch: source = max((dst + ½)/2 − ½, 0), the lower neighbour clamped to the last row/column. */
    private static float expectedDoubled(float[] x, int y, int c) {
        double sy = Math.max((y + 0.5) / 2 - 0.5, 0);
        double sx = Math.max((c + 0.5) / 2 - 0.5, 0);
        int y0 = (int) sy;
        int x0 = (int) sx;
        int y1 = Math.min(y0 + 1, H - 1);
        int x1 = Math.min(x0 + 1, W - 1);
        double ly = sy - y0;
        double lx = sx - x0;
        double top = (1 - lx) * x[y0 * W + x0] + lx * x[y0 * W + x1];
        double bottom = (1 - lx) * x[y1 * W + x0] + lx * x[y1 * W + x1];
        return (float) ((1 - ly) * top + ly * bottom);
    }

    private static float[] values() {
        float[] x = new float[H * W];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(1.7 * i) + 0.1f * i;
        }
        return x;
    }
}

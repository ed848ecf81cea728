package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * basicsr's calc_mean_std divides the variance by n − 1 (torch's {@code var}); in the full forward that factor
 * cancels between content and style, so it is checked here.
 */
class AdaInTest {

    @Test
    void theStdIsTheSquareRootOfTheUnbiasedVariancePlusEps() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray x = m.create(new float[] {1, 2, 3, 4, 10, 10, 10, 10}, new Shape(1, 2, 2, 2));
            NDArray[] meanStd = AdaIn.meanStd(x);
            assertThat(meanStd[0].getShape()).isEqualTo(new Shape(1, 2, 1, 1));
            assertThat(meanStd[0].toFloatArray()).containsExactly(2.5f, 10f);
            float[] std = meanStd[1].toFloatArray();
            assertThat((double) std[0]).isCloseTo(Math.sqrt(5.0 / 3 + 1e-5), within(1e-6));
            assertThat((double) std[1]).isCloseTo(Math.sqrt(1e-5), within(1e-7));
        }
    }

    @Test
    void theContentTakesTheStylesStatistics() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray content = m.create(new float[] {0, 1, 2, 3}, new Shape(1, 1, 2, 2));
            NDArray style = m.create(new float[] {10, 14, 18, 22}, new Shape(1, 1, 2, 2));
            float[] out = AdaIn.apply(content, style).toFloatArray();
            // content std √(5/3 + eps), style std √(80/3 + eps): not exactly 4× because of eps
            double ratio = Math.sqrt(80.0 / 3 + 1e-5) / Math.sqrt(5.0 / 3 + 1e-5);
            for (int i = 0; i < 4; i++) {
                assertThat((double) out[i]).isCloseTo((i - 1.5) * ratio + 16, within(1e-4));
            }
        }
    }
}

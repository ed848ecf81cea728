package io.sdfleet.diffusion.sdxl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.Torch;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The layout of sgm's size features: per number 128 cosines then 128 sines, numbers one after another. */
class FourierFeaturesTest {

    @Test
    void eachNumberGivesCosinesThenSinesOfItsMultiplesOfTheFrequencies() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray features = FourierFeatures.of(m, 0f, 64f);
            assertThat(features.getShape()).isEqualTo(new Shape(1, 2 * FourierFeatures.WIDTH));
            float[] v = features.toFloatArray();
            for (int k = 0; k < 128; k++) {
                assertThat(v[k]).as("cos(0)").isEqualTo(1f);
                assertThat(v[128 + k]).as("sin(0)").isEqualTo(0f);
                double frequency = Math.exp(-Math.log(10000) * k / 128);
                assertThat((double) v[256 + k]).as("cos(64 f_%d)", k).isCloseTo(Math.cos(64 * frequency), within(1e-5));
                assertThat((double) v[384 + k]).as("sin(64 f_%d)", k).isCloseTo(Math.sin(64 * frequency), within(1e-5));
            }
        }
    }
}

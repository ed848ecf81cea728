package io.sdfleet.diffusion.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Attention;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The build runs on DJL's stock PyTorch JNI library, which lacks sdfleet's fused attention (only the GPU build of
 * scripts/gpu/build-djl-jni.sh has it): the probe says so instead of failing, and attention is computed explicitly.
 */
class FusedAttentionTest {

    @Test
    void djlsStockLibraryHasNoFusedAttentionAndAttentionFallsBackToTheExplicitFormula() {
        assertThat(FusedAttention.available()).isFalse();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.create(new float[] {1, 0, 0, 1}, new Shape(1, 1, 2, 2));
            NDArray k = m.create(new float[] {1, 0, 0, 1}, new Shape(1, 1, 2, 2));
            NDArray v = m.create(new float[] {10, 0, 0, 10}, new Shape(1, 1, 2, 2));
            assertThatThrownBy(() -> FusedAttention.apply(q, k, v, null, 1f)).isInstanceOf(IllegalStateException.class);
            float[] out = Attention.unchunked().scaledDotProduct(q, k, v, 1f, null).toFloatArray();
            double e = Math.E;
            assertThat(out[0]).isCloseTo((float) (10 * e / (e + 1)), Offset.offset(1e-4f));
            assertThat(out[1]).isCloseTo((float) (10 / (e + 1)), Offset.offset(1e-4f));
        }
    }
}

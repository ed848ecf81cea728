package io.sdfleet.diffusion.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OpsTest {

    @Test
    void chunkedAttentionAgreesWithWholeAttentionIncludingMask() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray q = TorchCpuRandom.randn(m, 1, new Shape(2, 3, 50, 8));
            NDArray k = TorchCpuRandom.randn(m, 2, new Shape(2, 3, 50, 8));
            NDArray v = TorchCpuRandom.randn(m, 3, new Shape(2, 3, 50, 8));
            float[] causal = new float[50 * 50];
            for (int i = 0; i < 50; i++) {
                for (int j = i + 1; j < 50; j++) {
                    causal[i * 50 + j] = Float.NEGATIVE_INFINITY;
                }
            }
            NDArray mask = m.create(causal, new Shape(50, 50));
            NDArray whole = Attention.unchunked().scaledDotProduct(q, k, v, 0.35f, mask);
            NDArray chunked = new Attention(16).scaledDotProduct(q, k, v, 0.35f, mask);
            assertThat(chunked.getShape()).isEqualTo(new Shape(2, 3, 50, 8));
            assertThat(Tensors.maxAbs(chunked, whole)).isLessThan(1e-6);
            // row 0 sees only key 0 under the causal mask
            assertThat(Tensors.maxAbs(whole.get(":,:,0,:"), v.get(":,:,0,:"))).isLessThan(1e-6);
        }
    }

    @Test
    void groupNormMatchesItsDefinition() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray x = TorchCpuRandom.randn(m, 4, new Shape(2, 8, 3, 5));
            NDArray gamma = TorchCpuRandom.randn(m, 5, new Shape(8));
            NDArray beta = TorchCpuRandom.randn(m, 6, new Shape(8));
            NDArray actual = new GroupNorm(4, 1e-6f, gamma, beta).forward(x);
            NDArray grouped = x.reshape(2, 4, -1);
            NDArray mean = grouped.mean(new int[] {2}, true);
            NDArray var = grouped.sub(mean).square().mean(new int[] {2}, true);
            NDArray expected = grouped.sub(mean).div(var.add(1e-6f).sqrt()).reshape(2, 8, 3, 5)
                    .mul(gamma.reshape(1, 8, 1, 1)).add(beta.reshape(1, 8, 1, 1));
            assertThat(Tensors.maxAbs(actual, expected)).isLessThan(1e-5);
        }
    }

    @Test
    void circularPaddingWrapsTheImageAround() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            // a 3x3 kernel that picks the left neighbour: circular padding brings in the last column
            float[] kernel = new float[9];
            kernel[3] = 1; // row 1, column 0
            Conv2d conv = new Conv2d(m.create(kernel, new Shape(1, 1, 3, 3)), null, 1, 1);
            NDArray x = m.arange(0f, 12f).reshape(1, 1, 3, 4);
            NDArray zeros = conv.forward(x, PaddingMode.ZEROS);
            NDArray wrapped = conv.forward(x, PaddingMode.CIRCULAR);
            assertThat(zeros.get(0, 0, 1, 0).getFloat()).isEqualTo(0f);
            assertThat(wrapped.get(0, 0, 1, 0).getFloat()).isEqualTo(7f);
            assertThat(wrapped.get(0, 0, 1, 2).getFloat()).isEqualTo(5f);
        }
    }
}

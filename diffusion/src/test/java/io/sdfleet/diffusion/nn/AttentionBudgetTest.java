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

/** Attention chunked by a byte budget gives unchunked attention's numbers. */
class AttentionBudgetTest {

    /** Chunks only split the rows of independent matmuls; BLAS may still block the sums differently. */
    private static final double TOLERANCE = 1e-6;

    // [B=2, H=5, Nq=300, D=16] against 220 keys: one query row's scores and softmax take 2·2·5·220·4 = 17600 bytes
    private static final long BYTES_PER_ROW = 2L * 2 * 5 * 220 * 4;

    @Test
    void budgetedChunksEqualUnchunkedAttention() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray q = TorchCpuRandom.randn(m, 1, new Shape(2, 5, 300, 16));
            NDArray k = TorchCpuRandom.randn(m, 2, new Shape(2, 5, 220, 16));
            NDArray v = TorchCpuRandom.randn(m, 3, new Shape(2, 5, 220, 16));
            NDArray mask = TorchCpuRandom.randn(m, 4, new Shape(300, 220));
            NDArray expected = Attention.unchunked().scaledDotProduct(q, k, v, 0.25f, mask);
            Attention budgeted = Attention.budgeted(37 * BYTES_PER_ROW + 100); // 37 rows: chunks do not divide 300
            assertThat(budgeted.rowsPerChunk(q, k)).isEqualTo(37);
            NDArray actual = budgeted.scaledDotProduct(q, k, v, 0.25f, mask);
            double err = Tensors.maxAbs(actual, expected);
            System.out.printf("budgeted attention (37-row chunks) vs unchunked: max-abs %.3g%n", err);
            assertThat(err).isLessThan(TOLERANCE);
        }
    }

    @Test
    void aBudgetThatHoldsAllScoresRunsUnchunkedAndATinyOneStillMakesProgress() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray q = TorchCpuRandom.randn(m, 1, new Shape(2, 5, 300, 16));
            NDArray k = TorchCpuRandom.randn(m, 2, new Shape(2, 5, 220, 16));
            assertThat(Attention.budgeted(300 * BYTES_PER_ROW).rowsPerChunk(q, k)).isEqualTo(300);
            assertThat(Attention.budgeted(1).rowsPerChunk(q, k)).isEqualTo(1);
            assertThat(new Attention(64).rowsPerChunk(q, k)).isEqualTo(64); // no budget: the fixed row count
        }
    }

    @Test
    void multiHeadAttentionWithABudgetEqualsUnchunked() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray q = TorchCpuRandom.randn(m, 5, new Shape(2, 257, 64));
            NDArray kv = TorchCpuRandom.randn(m, 6, new Shape(2, 77, 64));
            NDArray expected = Attention.unchunked().multiHead(q, kv, kv, 4, null);
            NDArray actual = Attention.budgeted(64 * 1024).multiHead(q, kv, kv, 4, null);
            assertThat(Tensors.maxAbs(actual, expected)).isLessThan(TOLERANCE);
        }
    }

    /**
     * The budget on SDXL's largest attentions at 1024² (nothing in the rule is architecture-specific; these are the
     * figures): the UNet's level-1 self-attention with CFG (q [2, 10 heads, 64·64 tokens, 64]) and the VAE mid
     * block's single-head attention over the 128² latent (q [1, 1, 16384, 512]).
     */
    @Test
    void sdxlSizedAttentionGetsTheRowsItsBudgetHolds() {
        long budget = 256L << 20;
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray unetQ = m.zeros(new Shape(2, 10, 4096, 64));
            assertThat(Attention.budgeted(budget).rowsPerChunk(unetQ, unetQ))
                    .isEqualTo(budget / (2L * 2 * 10 * 4096 * 4)); // 409 rows: 10 chunks of the 4096
            NDArray vaeQ = m.zeros(new Shape(1, 1, 16384, 512));
            assertThat(Attention.budgeted(budget).rowsPerChunk(vaeQ, vaeQ)).isEqualTo(budget / (2L * 16384 * 4));
            NDArray unetHalf = unetQ.toType(ai.djl.ndarray.types.DataType.FLOAT16, false);
            assertThat(Attention.budgeted(budget).rowsPerChunk(unetHalf, unetHalf)) // fp16 scores: twice the rows
                    .isEqualTo(budget / (2L * 2 * 10 * 4096 * 2));
        }
    }
}

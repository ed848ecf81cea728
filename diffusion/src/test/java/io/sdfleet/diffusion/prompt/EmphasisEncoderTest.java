package io.sdfleet.diffusion.prompt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.model.TextEncoder;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Emphasis rescaling with hidden states whose mean is exactly 0 — what a model with random weights gives (its text
 * model ends in a plain layer norm). On the GPU the reduction landed on exactly 0 and mean(z)/mean(z·1) made every
 * conditioning NaN; without emphasis the rescale is skipped, with it the formula is A1111's.
 */
class EmphasisEncoderTest {

    /** Hidden states alternating +v and −v: their mean is exactly 0. */
    private static TextEncoder zeroMean(float v) {
        return new TextEncoder() {
            @Override
            public NDArray encode(NDArray tokenIds, int clipSkip) {
                float[] z = new float[77 * 4];
                for (int i = 0; i < z.length; i++) {
                    z[i] = i % 2 == 0 ? v : -v;
                }
                return tokenIds.getManager().create(z, new Shape(1, 77, 4));
            }

            @Override
            public int width() {
                return 4;
            }
        };
    }

    private static PromptChunk chunk(float multiplier) {
        long[] tokens = new long[77];
        float[] multipliers = new float[77];
        Arrays.fill(multipliers, 1f);
        multipliers[1] = multiplier;
        return new PromptChunk(tokens, multipliers);
    }

    @Test
    void withoutEmphasisTheHiddenStatesPassUnchangedEvenWhenTheirMeanIsZero() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = new EmphasisEncoder(zeroMean(0.5f)).encode(m, new TokenizedPrompt(List.of(chunk(1f)), 1), 1);
            float[] values = z.toFloatArray();
            assertThat(values).doesNotContain(Float.NaN);
            assertThat(values[0]).isEqualTo(0.5f);
            assertThat(values[1]).isEqualTo(-0.5f);
        }
    }

    @Test
    void withEmphasisTheRescaleKeepsTheChunksMean() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(1, 3, 2));
            NDArray multipliers = m.create(new float[] {1, 1.1f, 1}, new Shape(1, 3, 1));
            NDArray out = EmphasisEncoder.emphasise(z, multipliers);
            assertThat(out.mean().getFloat()).isCloseTo(3.5f, Offset.offset(1e-6f));
            // row 1 weighted 1.1 relative to the others
            assertThat(out.getFloat(0, 1, 0) / out.getFloat(0, 0, 0)).isCloseTo(3.3f, Offset.offset(1e-5f));
        }
    }
}

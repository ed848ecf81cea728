package io.sdfleet.diffusion.noise;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A1111's centring for "resize seed from": smaller sources land in the middle, larger ones are cropped to it. */
class CentredPasteTest {

    @Test
    void smallerSourceLandsInTheMiddleAndTheRestIsKept() {
        float[] target = filled(1 * 4 * 5, 0);
        float[] source = {1, 2, 3, 4}; // 1 channel, 2x2
        // rows: floor((4-2)/2) = 1; cols: floor((5-2)/2) = 1
        assertThat(CentredPaste.paste(target, 1, 4, 5, source, 2, 2)).containsExactly(
                0, 0, 0, 0, 0,
                0, 1, 2, 0, 0,
                0, 3, 4, 0, 0,
                0, 0, 0, 0, 0);
        assertThat(target).containsOnly(0); // the target itself is left alone
    }

    @Test
    void largerSourceIsCroppedToItsMiddleWithPythonsFloorOffsets() {
        float[] target = filled(2 * 2 * 2, -1);
        float[] source = new float[2 * 5 * 3]; // 2 channels, 5x3: offsets floor(-3/2) = -2 rows, floor(-1/2) = -1 col
        for (int i = 0; i < source.length; i++) {
            source[i] = i;
        }
        // A1111: h = 5 + 2·(−2) = 1 row from source row 2; w = 3 + 2·(−1) = 1 col from source col 1
        assertThat(CentredPaste.paste(target, 2, 2, 2, source, 5, 3)).containsExactly(
                7, -1,
                -1, -1,
                22, -1,
                -1, -1);
    }

    @Test
    void sameSizeSourceReplacesEverything() {
        float[] source = {1, 2, 3, 4, 5, 6};
        assertThat(CentredPaste.paste(filled(6, 0), 1, 2, 3, source, 2, 3)).containsExactly(source);
    }

    private static float[] filled(int n, float value) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }
}

package io.sdfleet.diffusion.restore;

import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.align.AffineTransform;
import io.sdfleet.diffusion.restore.opencv.GaussianBlur;
import io.sdfleet.diffusion.restore.paste.FacePaste;
import io.sdfleet.diffusion.restore.paste.FacePaste.RestoredFace;
import io.sdfleet.diffusion.restore.paste.SquareMask;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * facexlib's paste without parsing (the square mask), on a face shrunk 16× into the middle of a black image: the
 * reference has no case for it, so this checks its shape (a 32-pixel face has w_edge 1: 2×2 seam erosion, then a
 * 2×2 erosion and OpenCV's fixed 3×3 Gaussian).
 */
class SquareMaskPasteTest {

    private static final AffineTransform FACE_TO_IMAGE = new AffineTransform(1 / 16., 0, 16, 0, 1 / 16., 16);

    @Test
    void theFaceIsPastedWithASoftEdge() {
        PixelPlanes black = PixelPlanes.filled(64, 64, 3, 0);
        PixelPlanes face = new PixelPlanes(new int[][][] {
                PixelPlanes.filled(512, 512, 1, 200).channels()[0],
                PixelPlanes.filled(512, 512, 1, 100).channels()[0],
                PixelPlanes.filled(512, 512, 1, 50).channels()[0]});
        PixelPlanes out = FacePaste.paste(black, List.of(new RestoredFace(face, FACE_TO_IMAGE, null)));
        assertThat(new int[] {out.channels()[0][32][32], out.channels()[1][32][32], out.channels()[2][32][32]})
                .containsExactly(200, 100, 50);
        assertThat(out.channels()[0][5][5]).isZero();
        assertThat(out.channels()[0][60][32]).isZero();
        // the soft edge: the outermost face rows are neither background nor face
        SquareMask mask = SquareMask.of(512, 512, FACE_TO_IMAGE, 64, 64);
        assertThat(mask.soft()[32][32]).isEqualTo(1f);
        assertThat(mask.soft()[10][32]).isZero();
        int partial = 0;
        for (int y = 0; y < 64; y++) {
            float m = mask.soft()[y][32];
            partial += m > 0 && m < 1 ? 1 : 0;
        }
        assertThat(partial).isBetween(2, 6);
        // row 16, the face's first, is dropped by the seam erosion; the next rows blend
        assertThat(out.channels()[0][16][32]).isZero();
        assertThat(out.channels()[0][17][32]).isBetween(1, 199);
    }

    @Test
    void gaussianKernelsAreOpenCvs() {
        assertThat(GaussianBlur.kernel(3, 0)).containsExactly(0.25, 0.5, 0.25);
        double[] k = GaussianBlur.kernel(101, 11);
        double sum = 0;
        for (double v : k) {
            sum += v;
        }
        assertThat(sum).isCloseTo(1, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(k[50] / k[39]).isCloseTo(Math.exp(121 / 242.), org.assertj.core.data.Offset.offset(1e-12));
        // sigma 0 beyond 7 taps: 0.3·((n − 1)/2 − 1) + 0.8
        double[] k9 = GaussianBlur.kernel(9, 0);
        double sigma = 0.3 * (4 - 1) + 0.8;
        assertThat(k9[4] / k9[3]).isCloseTo(Math.exp(1 / (2 * sigma * sigma)), org.assertj.core.data.Offset.offset(1e-12));
    }
}

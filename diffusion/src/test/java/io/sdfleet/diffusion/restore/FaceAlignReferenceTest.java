package io.sdfleet.diffusion.restore;

import io.sdfleet.diffusion.testing.ImagePlanes;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.align.AffineTransform;
import io.sdfleet.diffusion.restore.align.FaceAlignment;
import io.sdfleet.diffusion.restore.align.FaceAlignment.AlignedFace;
import io.sdfleet.diffusion.restore.align.FaceTemplate;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.sdfleet.diffusion.restore.RestoreArrays.bgrPlanes;
import static io.sdfleet.diffusion.restore.RestoreArrays.doubles;
import static io.sdfleet.diffusion.restore.RestoreArrays.points;
import static io.sdfleet.diffusion.restore.RestoreArrays.relative;
import static org.assertj.core.api.Assertions.assertThat;

/** facexlib's {@code align_warp_face} (OpenCV 4.6 LMedS similarity, warpAffine) on {@code restore/cases/face_align}. */
class FaceAlignReferenceTest {

    private static SafetensorsFile ref() {
        return Reference.tensors("restore/cases/face_align.safetensors");
    }

    @Test
    void theTemplateIsFacexlibs() {
        try (SafetensorsFile ref = ref()) {
            assertThat(relative(flat(FaceTemplate.forSize(512)), doubles(ref.get("face_template")))).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void theSimilarityIsOpenCvsLmeds(int set) {
        try (SafetensorsFile ref = ref()) {
            double[][] landmarks = points(ref.get("set" + set + ".landmarks"));
            AffineTransform affine = FaceAlignment.affineFor(landmarks, 512);
            double[] expected = doubles(ref.get("set" + set + ".affine"));
            double err = relative(affine.toArray(), expected);
            double lstsqErr = relative(doubles(ref.get("set" + set + ".affine_lstsq_all5")), expected);
            double invErr = relative(affine.inverse().toArray(), doubles(ref.get("set" + set + ".inverse_affine")));
            System.out.printf("face_align set%d: affine rel err %.3g (plain least squares: %.3g), inverse %.3g%n",
                    set, err, lstsqErr, invErr);
            assertThat(err).isLessThanOrEqualTo(1e-6);
            assertThat(invErr).isLessThanOrEqualTo(1e-6);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void theCropIsOpenCvsWarpAffine(int set) {
        try (SafetensorsFile ref = ref()) {
            PixelPlanes image = bgrPlanes(ref.get("image_bgr_u8"));
            AlignedFace face = FaceAlignment.align(image, points(ref.get("set" + set + ".landmarks")));
            PixelPlanes expected = bgrPlanes(ref.get("set" + set + ".cropped_bgr_u8"));
            assertThat(face.crop().width()).isEqualTo(512);
            assertThat(face.crop().height()).isEqualTo(512);
            int maxDiff = ImagePlanes.maxDiff(face.crop(), expected);
            int differing = RestoreArrays.differing(face.crop(), expected);
            System.out.printf("face_align set%d crop: max diff %d/255, %d of %d values differ%n", set, maxDiff,
                    differing, 3 * 512 * 512);
            assertThat(maxDiff).isLessThanOrEqualTo(2);
        }
    }

    private static double[] flat(double[][] points) {
        double[] out = new double[points.length * 2];
        for (int i = 0; i < points.length; i++) {
            out[2 * i] = points[i][0];
            out[2 * i + 1] = points[i][1];
        }
        return out;
    }
}

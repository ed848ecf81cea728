package io.sdfleet.diffusion.restore;

import io.sdfleet.diffusion.testing.ImagePlanes;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.align.AffineTransform;
import io.sdfleet.diffusion.restore.parse.FaceParser;
import io.sdfleet.diffusion.restore.parse.ParseNet;
import io.sdfleet.diffusion.restore.paste.FacePaste;
import io.sdfleet.diffusion.restore.paste.FacePaste.RestoredFace;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.SeededWeights;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static io.sdfleet.diffusion.restore.RestoreArrays.bgrPlanes;
import static io.sdfleet.diffusion.restore.RestoreArrays.doubles;
import static io.sdfleet.diffusion.restore.RestoreArrays.plane;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * facexlib's {@code paste_faces_to_input_image} with {@code use_parse=True} on {@code restore/cases/paste_back_parse}:
 * first from the reference's own ParseNet classes (blur, warps and blend alone), then end to end with ParseNet.
 */
class PasteBackParseReferenceTest {

    private static final int U8_TOLERANCE = 2;
    private static final double MASK_TOLERANCE = 1e-4;

    private static SafetensorsFile ref() {
        return Reference.tensors("restore/cases/paste_back_parse.safetensors");
    }

    @Test
    void blurWarpsAndBlendMatchFacexlibOnTheReferenceClasses() {
        try (SafetensorsFile ref = ref()) {
            int[][] classes = classes(ref.get("parse_argmax_u8"));
            double[][] blurred = FaceParser.blurTwice(FaceParser.paint(classes));
            double blurErr = maxAbs(blurred, plane(ref.get("mask_after_blur2_f32")));

            PixelPlanes image = bgrPlanes(ref.get("image_bgr_u8"));
            RestoredFace face = new RestoredFace(bgrPlanes(ref.get("restored_bgr_u8")),
                    AffineTransform.of(doubles(ref.get("inverse_affine"))), FaceParser.finish(blurred));
            int warpErr = ImagePlanes.maxDiff(FacePaste.warpBack(face, image.width(), image.height()),
                    bgrPlanes(ref.get("inv_restored_bgr_u8")));
            double maskErr = maxAbs(FacePaste.warpMask(face, image.width(), image.height()),
                    plane(ref.get("inv_soft_mask_f64")));
            PixelPlanes pasted = FacePaste.paste(image, List.of(face));
            PixelPlanes expected = bgrPlanes(ref.get("pasted_bgr_u8"));
            int pasteErr = ImagePlanes.maxDiff(pasted, expected);
            System.out.printf("paste_back_parse (reference classes): blur2 max abs %.3g (of 255), inv_restored %d/255, "
                            + "inv_soft_mask %.3g, pasted %d/255 (%d values differ), input vs expected %d/255%n",
                    blurErr, warpErr, maskErr, pasteErr, RestoreArrays.differing(pasted, expected),
                    ImagePlanes.maxDiff(image, expected));
            assertThat(blurErr).isLessThanOrEqualTo(MASK_TOLERANCE);
            assertThat(warpErr).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(maskErr).isLessThanOrEqualTo(MASK_TOLERANCE);
            assertThat(pasteErr).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(ImagePlanes.maxDiff(image, expected)).as("the paste changes the image").isGreaterThan(10);
        }
    }

    @Test
    void parseNetMaskAndPasteMatchFacexlib() {
        JsonNode meta = Reference.json("restore/cases/paste_back_parse.json");
        try (SafetensorsFile ref = ref(); NDManager m = Torch.newManager(Device.cpu())) {
            FaceParser parser = new FaceParser(ParseNet.load(SeededWeights.of("parsenet"), m));
            PixelPlanes restored = bgrPlanes(ref.get("restored_bgr_u8"));

            long cpu0 = processCpuNanos();
            long wall0 = System.nanoTime();
            int[][] classes = parser.classes(restored, m);
            long wall = System.nanoTime() - wall0;
            long cpu = processCpuNanos() - cpu0;

            int[][] expectedClasses = classes(ref.get("parse_argmax_u8"));
            int flipped = 0;
            for (int y = 0; y < classes.length; y++) {
                for (int x = 0; x < classes[0].length; x++) {
                    flipped += classes[y][x] != expectedClasses[y][x] ? 1 : 0;
                }
            }
            double[][] blurred = FaceParser.blurTwice(FaceParser.paint(classes));
            double blurErr = maxAbs(blurred, plane(ref.get("mask_after_blur2_f32"))) / 255;

            PixelPlanes image = bgrPlanes(ref.get("image_bgr_u8"));
            RestoredFace face = new RestoredFace(restored, AffineTransform.of(doubles(ref.get("inverse_affine"))),
                    FaceParser.finish(blurred));
            double maskErr = maxAbs(FacePaste.warpMask(face, image.width(), image.height()),
                    plane(ref.get("inv_soft_mask_f64")));
            int pasteErr = ImagePlanes.maxDiff(FacePaste.paste(image, List.of(face)),
                    bgrPlanes(ref.get("pasted_bgr_u8")));
            System.out.printf("paste_back_parse (ParseNet): %d of %d argmax pixels differ (reference: %d pixels with "
                            + "a top-2 logit margin below 1e-2), blur2 max abs %.3g/1, inv_soft_mask %.3g, "
                            + "pasted %d/255; ParseNet 512 forward + argmax: %.1f s wall, %.1f s process CPU%n",
                    flipped, 512 * 512, meta.get("parse_logit_margin").get("pixels_below_1e-2").asInt(), blurErr,
                    maskErr, pasteErr, wall / 1e9, cpu / 1e9);
            assertThat(flipped).isLessThanOrEqualTo(meta.get("parse_logit_margin").get("pixels_below_1e-2").asInt());
            assertThat(blurErr).isLessThanOrEqualTo(U8_TOLERANCE / 255.);
            assertThat(maskErr).isLessThanOrEqualTo(U8_TOLERANCE / 255.);
            assertThat(pasteErr).isLessThanOrEqualTo(U8_TOLERANCE);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static int[][] classes(StoredTensor t) {
        double[][] p = plane(t);
        int[][] out = new int[p.length][p[0].length];
        for (int y = 0; y < p.length; y++) {
            for (int x = 0; x < p[0].length; x++) {
                out[y][x] = (int) p[y][x];
            }
        }
        return out;
    }

    private static double maxAbs(double[][] a, double[][] b) {
        assertThat(a.length).isEqualTo(b.length);
        assertThat(a[0].length).isEqualTo(b[0].length);
        double max = 0;
        for (int y = 0; y < a.length; y++) {
            for (int x = 0; x < a[0].length; x++) {
                max = Math.max(max, Math.abs(a[y][x] - b[y][x]));
            }
        }
        return max;
    }
}

package io.sdfleet.diffusion.restore;

import io.sdfleet.diffusion.testing.ImagePlanes;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.parse.FaceParser;
import io.sdfleet.diffusion.restore.parse.ParseNet;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.SeededWeights;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.sdfleet.diffusion.restore.RestoreArrays.bgrPlanes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's conversions around the restoration network ({@code codeformer_forward_w0.5}) and the whole helper after
 * detection ({@code restore_faces_codeformer}), with CodeFormer replaced by its recorded output: alignment,
 * conversions, ParseNet, paste.
 */
class FaceRestoreHelperReferenceTest {

    private static final int U8_TOLERANCE = 2;

    @Test
    void networkInputAndOutputConvertAsA1111() {
        try (SafetensorsFile ref = Reference.tensors("restore/cases/codeformer_forward_w0.5.safetensors");
             NDManager m = Torch.newManager(Device.cpu())) {
            NDArray input = FaceTensors.toNetworkInput(bgrPlanes(ref.get("input_crop_bgr_u8")), m);
            double inputErr = Tensors.maxAbs(input, ref.get("net_input_rgb"));
            PixelPlanes restored = FaceTensors.fromNetworkOutput(Tensors.load(ref.get("net_output_rgb"), m));
            int outputErr = ImagePlanes.maxDiff(restored, bgrPlanes(ref.get("restored_bgr_u8")));
            System.out.printf("codeformer_forward_w0.5 conversions: input max abs %.3g, restored u8 %d/255%n",
                    inputErr, outputErr);
            assertThat(inputErr).isLessThanOrEqualTo(1e-6);
            assertThat(outputErr).isZero();
        }
    }

    @Test
    void theHelperRestoresTheDetectedFaceAsA1111() {
        try (SafetensorsFile ref = Reference.tensors("restore/cases/restore_faces_codeformer.safetensors");
             SafetensorsFile forward = Reference.tensors("restore/cases/codeformer_forward_w0.5.safetensors");
             NDManager m = Torch.newManager(Device.cpu())) {
            StoredTensor expectedInput = forward.get("net_input_rgb");
            double[] inputErr = {Double.NaN};
            FaceRestorationNetwork replay = new FaceRestorationNetwork() {
                @Override
                public String displayName() {
                    return "CodeFormer (recorded)";
                }

                @Override
                public NDArray restore(NDArray alignedFace, RestoreOptions options) {
                    inputErr[0] = Tensors.maxAbs(alignedFace, expectedInput);
                    return Tensors.load(forward.get("net_output_rgb"), alignedFace.getManager());
                }
            };
            double[][] landmarks = new double[5][2];
            double[] flat = RestoreArrays.doubles(ref.get("landmarks_5"));
            for (int i = 0; i < 5; i++) {
                landmarks[i] = new double[] {flat[2 * i], flat[2 * i + 1]};
            }
            PixelPlanes input = rgbPlanes(ref.get("input_rgb_u8"));
            FaceRestoreHelper helper = new FaceRestoreHelper(new FaceParser(ParseNet.load(SeededWeights.of("parsenet"), m)));
            PixelPlanes out = helper.restore(input, List.<double[][]>of(landmarks), replay,
                    new FaceRestorationNetwork.RestoreOptions(0.5, 0), m);
            PixelPlanes expected = rgbPlanes(ref.get("output_rgb_u8"));
            int err = ImagePlanes.maxDiff(out, expected);
            System.out.printf("restore_faces_codeformer (recorded CodeFormer output): network input max abs %.3g, "
                            + "output %d/255 (%d values differ), input vs expected %d/255%n", inputErr[0], err,
                    RestoreArrays.differing(out, expected), ImagePlanes.maxDiff(input, expected));
            assertThat(inputErr[0]).isLessThanOrEqualTo(1e-6);
            assertThat(err).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(ImagePlanes.maxDiff(input, expected)).as("the faces are restored").isGreaterThan(10);
        }
    }

    /** An [H, W, 3] RGB uint8 image as planes. */
    private static PixelPlanes rgbPlanes(StoredTensor t) {
        PixelPlanes bgr = bgrPlanes(t);
        int[][][] c = bgr.channels();
        return new PixelPlanes(new int[][][] {c[2], c[1], c[0]});
    }
}

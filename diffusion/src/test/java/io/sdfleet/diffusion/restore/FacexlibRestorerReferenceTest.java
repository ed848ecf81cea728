package io.sdfleet.diffusion.restore;

import io.sdfleet.diffusion.testing.ImagePlanes;
import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.restore.codeformer.CodeFormer;
import io.sdfleet.diffusion.restore.detect.RetinaFace;
import io.sdfleet.diffusion.restore.parse.ParseNet;
import io.sdfleet.diffusion.restore.restorer.FacexlibRestorer;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.SeededWeights;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static io.sdfleet.diffusion.restore.RestoreArrays.bgrPlanes;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Restore faces end to end as A1111 runs it ({@code restore_faces_codeformer}: {@code modules.face_restoration
 * .restore_faces} with CodeFormer at weight 0.5): RetinaFace at 640, alignment, CodeFormer, ParseNet and paste-back,
 * every network on the reference's seeded weights. About 250 + 230 + 30 GMAC on the CPU.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FacexlibRestorerReferenceTest {

    private static final int U8_TOLERANCE = 2;

    private NDManager manager;
    private FacexlibRestorer restorer;

    @BeforeAll
    void load() {
        manager = Torch.newManager(Device.cpu());
        NDManager weights = manager.newSubManager();
        restorer = new FacexlibRestorer("CodeFormer", RetinaFace.load(SeededWeights.of("retinaface_r50"), weights),
                ParseNet.load(SeededWeights.of("parsenet"), weights),
                CodeFormer.load(SeededWeights.of("codeformer_v010"), weights), weights);
    }

    @AfterAll
    void close() {
        if (restorer != null) {
            restorer.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void restoreFacesWithCodeFormerMatchesA1111() {
        try (SafetensorsFile ref = Reference.tensors("restore/cases/restore_faces_codeformer.safetensors")) {
            PixelPlanes input = rgbPlanes(ref.get("input_rgb_u8"));
            PixelPlanes expected = rgbPlanes(ref.get("output_rgb_u8"));
            long cpu = processCpuNanos();
            long start = System.nanoTime();
            PixelPlanes out = restorer.restore(input, new FaceRestorationNetwork.RestoreOptions(0.5, 0));
            System.out.printf("restore_faces_codeformer end to end: %d/255 (%d values differ); %.1f s wall, "
                            + "%.1f s process CPU%n", ImagePlanes.maxDiff(out, expected),
                    RestoreArrays.differing(out, expected), (System.nanoTime() - start) / 1e9,
                    (processCpuNanos() - cpu) / 1e9);
            assertThat(ImagePlanes.maxDiff(out, expected)).isLessThanOrEqualTo(U8_TOLERANCE);
            assertThat(ImagePlanes.maxDiff(input, expected)).as("the face is restored").isGreaterThan(10);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** An [H, W, 3] RGB uint8 image as planes. */
    private static PixelPlanes rgbPlanes(StoredTensor t) {
        int[][][] c = bgrPlanes(t).channels();
        return new PixelPlanes(new int[][][] {c[2], c[1], c[0]});
    }
}

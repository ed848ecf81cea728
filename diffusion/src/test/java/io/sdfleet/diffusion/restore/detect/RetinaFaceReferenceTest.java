package io.sdfleet.diffusion.restore.detect;

import io.sdfleet.diffusion.testing.ImagePlanes;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.image.OpenCvLanczos4;
import io.sdfleet.diffusion.image.PixelPlanes;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.SeededWeights;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * facexlib 0.3.0's RetinaFace ResNet-50 and FaceRestoreHelper detection, as A1111 v1.10 calls them, against the
 * restore reference ({@code restore/cases/retinaface_forward}, {@code retinaface_postprocess},
 * {@code face_landmarks_a1111}; tolerances from its README).
 */
class RetinaFaceReferenceTest {

    private static final double NETWORK_RELATIVE = 1e-4;
    private static final double PIXEL_TOLERANCE = 1e-3;
    private static final int U8_TOLERANCE = 2;

    @Test
    void retinafaceForwardMatchesFacexlib() {
        SafetensorsFile ref = Reference.tensors("restore/cases/retinaface_forward.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            RetinaFace net = RetinaFace.load(SeededWeights.of("retinaface_r50"), m);
            PixelPlanes image = ImagePlanes.hwc(ref.get("image_bgr_u8"));
            NDArray input = RetinaFace.input(image.channels(), m);
            assertThat(Tensors.maxAbs(input, ref.get("input_bgr_minus_mean"))).isZero();
            long start = System.nanoTime();
            try (RetinaFace.Output out = net.forward(input)) {
                double ms = (System.nanoTime() - start) / 1e6;
                System.out.printf("retinaface_forward 48x64: forward %.0f ms on the CPU%n", ms);
                assertNetwork("retinaface_forward", out, ref, true);
            }
            float[] priors = PriorBox.priors(64, 48);
            assertThat(Tensors.maxAbs(priors, ref.get("priors").toFloats())).isZero();
        }
    }

    @Test
    void retinafacePostprocessMatchesDetectFaces() {
        SafetensorsFile ref = Reference.tensors("restore/cases/retinaface_postprocess.safetensors");
        float[] priors = PriorBox.priors(96, 128);
        assertThat(Tensors.maxAbs(priors, ref.get("priors").toFloats())).isZero();
        List<FaceDetection> dets = DetectionDecoder.detect(ref.get("loc").toFloats(), ref.get("conf_softmax").toFloats(),
                ref.get("landms").toFloats(), priors, 128, 96, DetectionDecoder.FACE_HELPER_THRESHOLD);
        StoredTensor expected = ref.get("dets");
        double err = rowsError(dets, expected);
        System.out.printf("retinaface_postprocess: %d detections (of 7 planted anchors), max error %.3g px%n",
                dets.size(), err);
        assertThat(err).isLessThanOrEqualTo(PIXEL_TOLERANCE);
    }

    @Test
    void faceLandmarksAsA1111FindsTheFaceOnTheLanczos4Input() {
        SafetensorsFile ref = Reference.tensors("restore/cases/face_landmarks_a1111.safetensors");
        JsonNode json = Reference.json("restore/cases/face_landmarks_a1111.json");
        PixelPlanes image = ImagePlanes.hwc(ref.get("image_bgr_u8"));
        int[] size = FaceDetector.detectorSize(image.height(), image.width(), FaceDetector.A1111_RESIZE);
        assertThat(size).containsExactly(json.get("detection_trick").get("detector_input_hw").get(0).asInt(),
                json.get("detection_trick").get("detector_input_hw").get(1).asInt());

        PixelPlanes expectedInput = ImagePlanes.hwc(ref.get("detector_input_bgr_u8"));
        PixelPlanes resized = OpenCvLanczos4.resize(image, size[1], size[0]);
        int[] diff = diff(resized, expectedInput);
        System.out.printf("face_landmarks_a1111: Lanczos4 %dx%d, max u8 diff %d, %d values differ%n", size[1], size[0],
                diff[0], diff[1]);
        assertThat(diff[0]).isLessThanOrEqualTo(U8_TOLERANCE);

        try (NDManager m = Torch.newManager(Device.cpu())) {
            RetinaFace net = RetinaFace.load(SeededWeights.of("retinaface_r50"), m);
            try (NDManager call = m.newSubManager()) {
                long start = System.nanoTime();
                try (RetinaFace.Output out = net.forward(RetinaFace.input(expectedInput.channels(), call))) {
                    double ms = (System.nanoTime() - start) / 1e6;
                    System.out.printf("face_landmarks_a1111 731x640: forward %.0f ms on the CPU%n", ms);
                    assertNetwork("face_landmarks_a1111", out, ref, false);
                }
            }
            List<FaceDetection> faces = new FaceDetector(net).faceLandmarks5(image, m);
            StoredTensor boxes = ref.get("det_faces");
            float[] expectedBoxes = boxes.toFloats();
            float[] expectedLandmarks = ref.get("landmarks_5").toFloats();
            assertThat(faces).hasSize((int) boxes.shape()[0]);
            double err = 0;
            for (int f = 0; f < faces.size(); f++) {
                float[] row = faces.get(f).row();
                for (int i = 0; i < 5; i++) {
                    err = Math.max(err, Math.abs(row[i] - expectedBoxes[f * 5 + i]));
                }
                for (int i = 0; i < 10; i++) {
                    err = Math.max(err, Math.abs(row[5 + i] - expectedLandmarks[f * 10 + i]));
                }
            }
            System.out.printf("face_landmarks_a1111: %d face(s), max error %.3g px%n", faces.size(), err);
            assertThat(err).isLessThanOrEqualTo(PIXEL_TOLERANCE);
        }
    }

    @Test
    void theLoaderReadsEveryManifestKeyWithOrWithoutModulePrefix() {
        SeededWeights weights = SeededWeights.of("retinaface_r50");
        Recording recording = new Recording(weights, "");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            RetinaFace.load(recording, m);
            Set<String> unread = new LinkedHashSet<>(weights.keys());
            unread.removeAll(recording.read);
            assertThat(unread).as("only the batch counters go unread").allMatch(k -> k.endsWith(".num_batches_tracked"));
            assertThat(recording.read).hasSize(weights.keys().size() - unread.size());

            Recording prefixed = new Recording(weights, "module.");
            RetinaFace.load(prefixed, m);
            assertThat(prefixed.read).containsExactlyInAnyOrderElementsOf(recording.read);
        }
    }

    @Test
    void aFileWithAKeyTheNetworkDoesNotHaveIsRefused() {
        SeededWeights weights = SeededWeights.of("retinaface_r50");
        TensorSource extra = new TensorSource() {
            @Override
            public Set<String> keys() {
                Set<String> keys = new LinkedHashSet<>(weights.keys());
                keys.add("body.fc.weight");
                return keys;
            }

            @Override
            public StoredTensor get(String key) {
                return weights.get(key.equals("body.fc.weight") ? "body.bn1.weight" : key);
            }
        };
        try (NDManager m = Torch.newManager(Device.cpu())) {
            assertThatThrownBy(() -> RetinaFace.load(extra, m)).isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("body.fc.weight");
        }
    }

    @Test
    void facesWithEyesCloserThanFivePixelsInTheOriginalAreDropped() {
        // eyes 20 detector px apart: 5.0 px at scale 0.25 (kept, the threshold is strict '<'), 4.9 px at 0.245
        FaceDetection face = new FaceDetection(0, 0, 100, 100, 0.99f, new float[]{10, 10, 30, 10, 20, 20, 12, 30, 28, 30});
        List<FaceDetection> kept = FaceDetector.scaledBack(List.of(face), 0.25);
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).row()).containsExactly(0, 0, 25, 25, 0.99f * 0.25f, 2.5f, 2.5f, 7.5f, 2.5f, 5, 5, 3, 7.5f,
                7, 7.5f);
        assertThat(FaceDetector.scaledBack(List.of(face), 0.245)).isEmpty();
    }

    @Test
    void theFactoryOpensAFileWhoseKeysCarryTheDataParallelPrefix(@TempDir Path dir) {
        SeededWeights weights = SeededWeights.of("retinaface_r50");
        SafetensorsWriter writer = new SafetensorsWriter();
        for (String key : weights.keys()) {
            StoredTensor t = weights.get(key);
            writer.put(new StoredTensor("module." + key, t.type(), t.shape(), t.data()));
        }
        Path file = dir.resolve("detection_Resnet50_Final.safetensors");
        writer.write(file);
        SafetensorsFile ref = Reference.tensors("restore/cases/retinaface_forward.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            RetinaFace net = RetinaFace.open(file, m);
            try (RetinaFace.Output out = net.forward(Tensors.load(ref.get("input_bgr_minus_mean"), m))) {
                check("retinaface_forward via file", "loc", out.loc(), ref.get("loc"));
            }
        }
    }

    private static void assertNetwork(String name, RetinaFace.Output out, SafetensorsFile ref, boolean logits) {
        check(name, "loc", out.loc(), ref.get("loc"));
        check(name, "conf", out.conf(), ref.get("conf_softmax"));
        check(name, "landms", out.landmarks(), ref.get("landms"));
        if (logits) {
            check(name, "logits", out.logits(), ref.get("class_logits"));
        }
    }

    private static void check(String name, String what, NDArray actual, StoredTensor expected) {
        double err = Tensors.maxAbs(actual, expected);
        double bound = NETWORK_RELATIVE * maxAbs(expected.toFloats());
        System.out.printf("%s %s: max-abs %.3g (bound %.3g)%n", name, what, err, bound);
        assertThat(err).as(name + " " + what).isLessThanOrEqualTo(bound);
    }

    private static double rowsError(List<FaceDetection> dets, StoredTensor expected) {
        int cols = (int) expected.shape()[1];
        float[] e = expected.toFloats();
        assertThat(dets).hasSize((int) expected.shape()[0]);
        double err = 0;
        for (int r = 0; r < dets.size(); r++) {
            float[] row = dets.get(r).row();
            for (int c = 0; c < cols; c++) {
                err = Math.max(err, Math.abs(row[c] - e[r * cols + c]));
            }
        }
        return err;
    }

    private static double maxAbs(float[] v) {
        double max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        return max;
    }

    /** {max |a − b|, how many values differ}. */
    private static int[] diff(PixelPlanes a, PixelPlanes b) {
        assertThat(a.width()).isEqualTo(b.width());
        assertThat(a.height()).isEqualTo(b.height());
        int max = 0;
        int count = 0;
        for (int c = 0; c < a.channels().length; c++) {
            for (int y = 0; y < a.height(); y++) {
                for (int x = 0; x < a.width(); x++) {
                    int d = Math.abs(a.channels()[c][y][x] - b.channels()[c][y][x]);
                    max = Math.max(max, d);
                    count += d == 0 ? 0 : 1;
                }
            }
        }
        return new int[]{max, count};
    }

    /** The weights under an optional key prefix, remembering which tensors a loader read. */
    private static final class Recording implements TensorSource {
        private final TensorSource inner;
        private final String prefix;
        final Set<String> read = ConcurrentHashMap.newKeySet();

        Recording(TensorSource inner, String prefix) {
            this.inner = inner;
            this.prefix = prefix;
        }

        @Override
        public Set<String> keys() {
            Set<String> keys = new HashSet<>();
            for (String k : inner.keys()) {
                keys.add(prefix + k);
            }
            return keys;
        }

        @Override
        public StoredTensor get(String key) {
            String name = key.substring(prefix.length());
            read.add(name);
            return inner.get(name);
        }
    }
}

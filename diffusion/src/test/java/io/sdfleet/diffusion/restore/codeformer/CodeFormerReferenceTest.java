package io.sdfleet.diffusion.restore.codeformer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.SeededWeights;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * CodeFormer against spandrel_extra_arches 0.1.1 as A1111 v1.10 calls it ({@code restore/cases/codeformer_forward_w0.5}),
 * with the generated full-size weights of {@code restore/manifests/codeformer_v010.json}. One forward costs about
 * 250 GMAC, so the forward is run once.
 */
class CodeFormerReferenceTest {

    private static final String MODEL = "codeformer_v010";
    private static final int U8_TOLERANCE = 2;

    @Test
    void oneForwardMatchesSpandrelsOutputAndCodes() {
        JsonNode info = Reference.json("restore/cases/codeformer_forward_w0.5.json");
        double weight = info.get("kwargs").get("weight").asDouble();
        assertThat(info.get("kwargs").get("adain").asBoolean()).isTrue();
        try (SafetensorsFile ref = Reference.tensors("restore/cases/codeformer_forward_w0.5.safetensors");
             NDManager m = Torch.newManager(Device.cpu())) {
            CodeFormer net = CodeFormer.load(SeededWeights.of(MODEL), m);
            assertThat(net.transformerLayers()).isEqualTo(9);
            assertThat(net.fuseSizes()).containsExactly(32, 64, 128, 256);
            assertThat(net.displayName()).isEqualTo("CodeFormer");
            try (NDManager call = m.newSubManager()) {
                NDArray input = Tensors.load(ref.get("net_input_rgb"), call);
                long cpuBefore = processCpuNanos();
                long wallBefore = System.nanoTime();
                CodeFormer.Output out = net.forward(input, weight);
                float[] image = out.image().toFloatArray(); // forces the computation
                double cpu = (processCpuNanos() - cpuBefore) / 1e9;
                double wall = (System.nanoTime() - wallBefore) / 1e9;

                StoredTensor raw = ref.get("net_output_rgb");
                double rawErr = Tensors.maxAbs(out.image(), raw);
                double bound = 1e-4 * maxAbs(raw.toFloats());
                long[] codes = out.codes().toLongArray();
                long[] expectedCodes = ref.get("code_indices").toLongs();
                int codeMismatches = mismatches(codes, expectedCodes);
                int u8Err = maxDiff(bgrU8(image, 512, 512), ref.get("restored_bgr_u8").toFloats());
                System.out.printf("codeformer_forward_w%.1f: raw output %.3g (bound %.3g), codes %d/%d differ, u8 %d;"
                        + " one forward %.1f s CPU (process), %.1f s wall%n", weight, rawErr, bound, codeMismatches,
                        expectedCodes.length, u8Err, cpu, wall);
                assertThat(out.codes().getShape().getShape()).containsExactly(1, expectedCodes.length);
                assertThat(codes).containsExactly(expectedCodes);
                assertThat(rawErr).isLessThanOrEqualTo(bound);
                assertThat(u8Err).isLessThanOrEqualTo(U8_TOLERANCE);
                assertThat(out.image().getManager()).isSameAs(input.getManager());
            }
        }
    }

    @Test
    void theLoaderReadsEveryManifestKeyWithItsShapeUnderTheParamsEmaWrapper() {
        Map<String, long[]> manifest = new LinkedHashMap<>();
        for (JsonNode e : Reference.json("restore/manifests/" + MODEL + ".json").get("tensors")) {
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.get("shape").get(i).asLong();
            }
            manifest.put(e.get("key").asText(), shape);
        }
        assertThat(manifest).hasSize(515);
        // a converted .safetensors of the released file: every key under params_ema., plus one stray key
        Recording file = new Recording(SeededWeights.of(MODEL), "params_ema.", "params_ema.stray.weight");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            assertThatThrownBy(() -> CodeFormer.load(file, m))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("stray.weight");
        }
        assertThat(file.reads.keySet()).containsExactlyInAnyOrderElementsOf(manifest.keySet());
        manifest.forEach((key, shape) -> {
            assertThat(file.reads.get(key)).as("reads of " + key).isEqualTo(1);
            assertThat(file.shapes.get(key)).as(key).containsExactly(shape);
        });
    }

    @Test
    void aTorchSaveFileLosesItsNestedParamsEmaWrapper() {
        // the small Real-ESRGAN reference model is a genuine torch.save({"params_ema": {...}}) file
        try (TensorSource pth = CheckpointFiles.open(Reference.file("restore/models/RealESRGAN_x4plus_small.pth"));
             SafetensorsFile copy = Reference.tensors("restore/models/RealESRGAN_x4plus_small.safetensors")) {
            io.sdfleet.diffusion.checkpoint.UnwrappedWeights keys = io.sdfleet.diffusion.checkpoint.UnwrappedWeights.of(pth);
            assertThat(keys.keys()).containsExactlyInAnyOrderElementsOf(copy.keys());
            String key = copy.keys().iterator().next();
            assertThat(keys.get(key).toFloats()).containsExactly(copy.get(key).toFloats());
        }
    }

    /** A source that renames every key under {@code prefix}, adds {@code extra}, and counts each key's reads. */
    private static final class Recording implements TensorSource {
        final Map<String, Integer> reads = new HashMap<>();
        final Map<String, long[]> shapes = new HashMap<>();
        private final TensorSource inner;
        private final String prefix;
        private final Set<String> keys = new LinkedHashSet<>();

        Recording(TensorSource inner, String prefix, String extra) {
            this.inner = inner;
            this.prefix = prefix;
            inner.keys().forEach(k -> keys.add(prefix + k));
            keys.add(extra);
        }

        @Override
        public Set<String> keys() {
            return keys;
        }

        @Override
        public StoredTensor get(String key) {
            String name = key.substring(prefix.length());
            if (!inner.contains(name)) {
                return new StoredTensor(key, StoredType.F32, new long[] {1}, ByteBuffer.allocate(4));
            }
            StoredTensor t = inner.get(name);
            reads.merge(name, 1, Integer::sum);
            shapes.put(name, t.shape());
            return t;
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** A1111's rgb_tensor_to_bgr_image for [1, 3, H, W] in [−1, 1]: clamp, (x + 1) / 2, BGR, ×255 truncated. */
    private static float[] bgrU8(float[] rgb, int h, int w) {
        float[] out = new float[h * w * 3];
        int plane = h * w;
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                float v = Math.max(-1f, Math.min(1f, rgb[c * plane + i]));
                float unit = (v + 1f) / 2f;
                out[i * 3 + (2 - c)] = (int) (unit * 255f);
            }
        }
        return out;
    }

    private static int maxDiff(float[] a, float[] b) {
        assertThat(a.length).isEqualTo(b.length);
        int max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, (int) Math.abs(a[i] - b[i]));
        }
        return max;
    }

    private static int mismatches(long[] a, long[] b) {
        int n = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            n += a[i] == b[i] ? 0 : 1;
        }
        return n + Math.abs(a.length - b.length);
    }

    private static double maxAbs(float[] v) {
        double max = 0;
        for (float f : v) {
            max = Math.max(max, Math.abs(f));
        }
        return max;
    }
}

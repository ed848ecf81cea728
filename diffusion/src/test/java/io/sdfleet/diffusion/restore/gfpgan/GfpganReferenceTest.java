package io.sdfleet.diffusion.restore.gfpgan;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.SafetensorsWriter;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.SeededWeights;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * GFPGAN v1.4 against spandrel's {@code GFPGANv1Clean(x, return_rgb=False)[0]} on the restore reference
 * ({@code restore/cases/gfpgan_forward}, generated weights {@code gfpgan_v14}). One full forward (≈200 GMAC).
 */
class GfpganReferenceTest {

    private static final String CASE = "restore/cases/gfpgan_forward";
    private static final String MODEL = "gfpgan_v14";
    private static final long REFERENCE_SEED = 1234;
    private static final int U8_TOLERANCE = 2;

    @Test
    void forwardWithTheDrawnNoiseMatchesSpandrel() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        SafetensorsFile codeformer = Reference.tensors("restore/cases/codeformer_forward_w0.5.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Gfpgan net = Gfpgan.load(wrapped(SeededWeights.of(MODEL)), m);
            try (NDManager call = m.newSubManager()) {
                StoredTensor crop = ref.get("input_crop_bgr_u8");
                NDArray input = netInput(crop, call);
                double inputErr = Tensors.maxAbs(input, codeformer.get("net_input_rgb"));
                List<NDArray> noise = new ArrayList<>();
                for (int i = 0; i < 15; i++) {
                    noise.add(Tensors.load(ref.get(String.format("noise.%02d", i)), call));
                }
                int arraysBefore = m.getManagedArrays().size();
                long cpuBefore = processCpuNanos();
                long wallBefore = System.nanoTime();
                NDArray out = net.forward(input, noise);
                assertThat(m.getManagedArrays()).as("arrays left by a forward: its output only").hasSize(arraysBefore + 1);
                assertThat(out.getManager()).isSameAs(call);
                float[] raw = out.toFloatArray();
                double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
                double wallSeconds = (System.nanoTime() - wallBefore) / 1e9;
                StoredTensor expected = ref.get("net_output_rgb");
                double rawErr = Tensors.maxAbs(out, expected);
                double bound = 1e-4 * maxAbs(expected.toFloats());
                int u8Err = maxDiff(restoredBgr(raw, 512, 512), ref.get("restored_bgr_u8").toFloats());
                System.out.printf("gfpgan_forward: input %.3g, raw output %.3g (bound %.3g, max|ref| %.3g), u8 %d; "
                                + "one forward %.1f s CPU (process, %d threads), %.1f s wall%n", inputErr, rawErr, bound,
                        bound * 1e4, u8Err, cpuSeconds, Runtime.getRuntime().availableProcessors(), wallSeconds);
                assertThat(inputErr).isZero();
                assertThat(rawErr).isLessThanOrEqualTo(bound);
                assertThat(u8Err).isLessThanOrEqualTo(U8_TOLERANCE);
            }
        }
    }

    @Test
    void seededNoiseIsTorchsRandnSequenceInForwardOrder() {
        SafetensorsFile ref = Reference.tensors(CASE + ".safetensors");
        assertThat(Reference.json(CASE + ".json").path("noise").path("equals_torch_randn_sequence_after_manual_seed_1234")
                .asBoolean()).isTrue();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            List<NDArray> drawn = Gfpgan.noise(REFERENCE_SEED, 1, m);
            assertThat(drawn).hasSize(15);
            for (int i = 0; i < drawn.size(); i++) {
                StoredTensor expected = ref.get(String.format("noise.%02d", i));
                assertThat(Gfpgan.noiseShapes(1).get(i)).isEqualTo(new Shape(expected.shape()));
                assertThat(Tensors.maxAbs(drawn.get(i), expected)).as("noise.%02d", i).isZero();
            }
            float[] again = Gfpgan.noise(REFERENCE_SEED, 1, m).get(14).toFloatArray();
            assertThat(again).containsExactly(drawn.get(14).toFloatArray());
        }
    }

    @Test
    void theLoaderTakesEveryTensorOfTheReleasedFileAndNoOther(@TempDir Path dir) {
        SeededWeights file = SeededWeights.of(MODEL);
        assertThat(Reference.json("restore/manifests/" + MODEL + ".json").path("wrapper").asText()).isEqualTo("params_ema");
        Path converted = dir.resolve("GFPGANv1.4.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        TensorSource prefixed = wrapped(file);
        for (String key : prefixed.keys()) {
            StoredTensor t = prefixed.get(key);
            writer.put(new StoredTensor(key, t.type(), t.shape(), t.data()));
        }
        writer.write(converted);
        try (NDManager m = Torch.newManager(Device.cpu())) {
            try (NDManager weights = m.newSubManager()) {
                Gfpgan.open(converted, weights); // params_ema. prefix; throws on any key left unused
            }
            loads(m, file); // a file without the wrapper
            assertThatThrownBy(() -> loads(m, wrapped(without(file, "stylegan_decoder.to_rgbs.6.bias"))))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("stylegan_decoder.to_rgbs.6.bias");
            assertThatThrownBy(() -> loads(m, wrapped(without(file, "toRGB.6.bias"))))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("toRGB.6.bias");
            assertThatThrownBy(() -> loads(m, wrapped(withExtra(file, "stylegan_decoder.to_rgbs.7.bias",
                    "stylegan_decoder.to_rgbs.6.bias"))))
                    .isInstanceOf(CheckpointException.class).hasMessageContaining("stylegan_decoder.to_rgbs.7.bias");
        }
    }

    /** Loads the network into a manager of its own, freed again (each load holds 87 M weights). */
    private static void loads(NDManager m, TensorSource file) {
        try (NDManager weights = m.newSubManager()) {
            Gfpgan.load(file, weights);
        }
    }

    @Test
    void aTorchSaveFileHasItsParamsEmaDictUnwrapped() {
        try (TensorSource file = CheckpointFiles.open(Reference.file("restore/models/RealESRGAN_x4plus_small.pth"))) {
            assertThat(file.keys()).noneMatch(k -> k.startsWith("conv_first"));
            io.sdfleet.diffusion.checkpoint.UnwrappedWeights keys = io.sdfleet.diffusion.checkpoint.UnwrappedWeights.of(file);
            assertThat(keys.keys()).contains("conv_first.weight").noneMatch(k -> k.startsWith("params_ema"));
            assertThat(keys.get("conv_first.weight").shape()).hasSize(4);
        }
    }

    /** The manifest's tensors under the {@code params_ema.} prefix, as a converted .safetensors of the .pth holds them. */
    private static TensorSource wrapped(TensorSource file) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : file.keys()) {
            keys.put("params_ema." + key, key);
        }
        return renamed(file, keys);
    }

    private static TensorSource without(TensorSource file, String missing) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : file.keys()) {
            if (!key.equals(missing)) {
                keys.put(key, key);
            }
        }
        return renamed(file, keys);
    }

    private static TensorSource withExtra(TensorSource file, String extra, String copyOf) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String key : file.keys()) {
            keys.put(key, key);
        }
        keys.put(extra, copyOf);
        return renamed(file, keys);
    }

    private static TensorSource renamed(TensorSource file, Map<String, String> keys) {
        return new TensorSource() {
            @Override
            public Set<String> keys() {
                return keys.keySet();
            }

            @Override
            public StoredTensor get(String key) {
                String stored = keys.get(key);
                if (stored == null) {
                    throw new CheckpointException("no tensor " + key);
                }
                return file.get(stored);
            }
        };
    }

    /** A1111's bgr_image_to_rgb_tensor: fp32(u8 / 255.0), BGR → RGB, (x − 0.5) / 0.5, as [1, 3, H, W]. */
    private static NDArray netInput(StoredTensor bgrU8, NDManager m) {
        int h = (int) bgrU8.shape()[0];
        int w = (int) bgrU8.shape()[1];
        float[] u8 = bgrU8.toFloats();
        float[] out = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < h * w; p++) {
                float v = (float) (u8[p * 3 + (2 - c)] / 255.0);
                out[c * h * w + p] = (v - 0.5f) / 0.5f;
            }
        }
        return m.create(out, new Shape(1, 3, h, w));
    }

    /** A1111's rgb_tensor_to_bgr_image: clamp to [−1, 1], (x + 1) / 2, RGB → BGR, ×255 truncated, as [H, W, 3]. */
    private static float[] restoredBgr(float[] rgb, int h, int w) {
        float[] out = new float[h * w * 3];
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < h * w; p++) {
                float v = Math.min(1f, Math.max(-1f, rgb[c * h * w + p]));
                v = (v + 1f) / 2f;
                out[p * 3 + (2 - c)] = (int) (v * 255f);
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

    private static double maxAbs(float[] v) {
        double max = 0;
        for (float f : v) {
            max = Math.max(max, Math.abs(f));
        }
        return max;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}

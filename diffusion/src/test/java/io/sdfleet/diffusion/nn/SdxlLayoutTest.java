package io.sdfleet.diffusion.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.nn.SyntheticTensorSource.TensorSpec;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.unet.HeadLayout;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class SdxlLayoutTest {

    /** The minis' hyper-parameters (sdxl/mini_sdxl_config.json). */
    static final SdxlLayout.Config MINI_BASE = new SdxlLayout.Config(32, List.of(1, 2, 2), 2, List.of(0, 1, 2), 2,
            48, 1568, 4, 32, List.of(1, 1, 2, 2), 2, 49408, 77, 16, 3, 64, 1, 32, 3, 128, 32);
    static final SdxlLayout.Config MINI_REFINER = new SdxlLayout.Config(32, List.of(1, 1, 2, 2), 2,
            List.of(0, 2, 2, 0), 2, 32, 1312, 4, 32, List.of(1, 1, 2, 2), 2, 49408, 77, 0, 0, 0, 0, 32, 3, 128, 32);

    @Test
    void generatesTheReleasedBaseKeysAndShapes() {
        assertSameLayout(SdxlLayout.tensors(SdxlLayout.BASE), "sdxl/manifest_sdxl_base_1.0.json");
    }

    @Test
    void generatesTheMiniBaseAndRefinerKeysAndShapes() {
        assertSameLayout(SdxlLayout.tensors(MINI_BASE), "sdxl/manifest_mini_sdxl_base.json");
        assertSameLayout(SdxlLayout.tensors(MINI_REFINER), "sdxl/manifest_mini_sdxl_refiner.json");
    }

    @Test
    void fullSizeSdxlBaseUNetFromTheGeneratedLayoutRunsAForwardPass() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Weights root = Weights.of(new SyntheticTensorSource(SdxlLayout.tensors(SdxlLayout.BASE), StoredType.F32, 5),
                    m, DataType.FLOAT32);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX), HeadLayout.SD2, NoisePredictor.Prediction.EPSILON,
                    Attention.chunked());
            assertThat(unet.admInChannels()).isEqualTo(2816);
            assertThat(unet.contextDim()).isEqualTo(2048);
            try (NDManager call = m.newSubManager()) {
                long start = System.nanoTime();
                NDArray eps = unet.predict(TorchCpuRandom.randn(call, 1, new Shape(1, 4, 8, 8)),
                        call.create(new float[] {500f}), TorchCpuRandom.randn(call, 2, new Shape(1, 77, 2048)),
                        TorchCpuRandom.randn(call, 3, new Shape(1, 2816)));
                System.out.printf("synthetic SDXL base UNet, 8x8 latent: %.2f s%n", (System.nanoTime() - start) / 1e9);
                assertThat(eps.getShape()).isEqualTo(new Shape(1, 4, 8, 8));
                assertThat(eps.isNaN().any().getBoolean() || eps.isInfinite().any().getBoolean()).isFalse();
            }
        }
    }

    /** Compares key by key, so that a failure names the keys that differ rather than printing two layouts. */
    private static void assertSameLayout(Map<String, TensorSpec> generated, String manifestFile) {
        Map<String, String> actual = shapes(generated);
        Map<String, String> expected = manifest(manifestFile);
        Map<String, String> differences = new TreeMap<>();
        expected.forEach((k, v) -> {
            if (!v.equals(actual.get(k))) {
                differences.put(k, "manifest " + v + ", generated " + actual.get(k));
            }
        });
        actual.forEach((k, v) -> {
            if (!expected.containsKey(k)) {
                differences.put(k, "not in the manifest, generated " + v);
            }
        });
        assertThat(differences).as(manifestFile).isEmpty();
    }

    /** key → shape text (with " I64" for integer tensors) of a manifest's entries. */
    static Map<String, String> manifest(String file) {
        Map<String, String> out = new TreeMap<>();
        for (JsonNode t : Reference.json(file).path("entries")) {
            long[] shape = new long[t.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asLong();
            }
            out.put(t.path("key").asText(), Arrays.toString(shape) + (t.path("dtype").asText().equals("I64") ? " I64" : ""));
        }
        assertThat(out).isNotEmpty();
        return out;
    }

    private static Map<String, String> shapes(Map<String, TensorSpec> specs) {
        Map<String, String> out = new TreeMap<>();
        specs.forEach((k, v) -> out.put(k, Arrays.toString(v.shape()) + (v.type() == StoredType.I64 ? " I64" : "")));
        return out;
    }
}

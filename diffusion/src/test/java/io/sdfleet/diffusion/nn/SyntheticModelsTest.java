package io.sdfleet.diffusion.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.nn.SyntheticTensorSource.TensorSpec;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticModelsTest {

    @Test
    void everyKeyOfTheSd15ManifestLoadsIntoTheThreeModules() {
        // fp32 synthetic tensors are slices of shared direct buffers, which DJL wraps without copying:
        // the 1.07 B parameters cost a few hundred MB, not 4 GB
        Map<String, TensorSpec> specs = new LinkedHashMap<>();
        for (JsonNode t : Reference.json("manifest_sd15.json").path("tensors")) {
            long[] shape = new long[t.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.path("shape").get(i).asLong();
            }
            StoredType type = t.path("dtype").asText().equals("int64") ? StoredType.I64 : null;
            specs.put(t.path("key").asText(), new TensorSpec(shape, type));
        }
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Weights root = Weights.of(new SyntheticTensorSource(specs, StoredType.F32, 1), m, DataType.FLOAT32);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX));
            AutoencoderKL.load(root.at(AutoencoderKL.PREFIX));
            ClipTextModel clip = ClipTextModel.load(root.at(ClipTextModel.PREFIX));
            assertThat(unet.modelChannels()).isEqualTo(320);
            assertThat(unet.contextDim()).isEqualTo(768);
            assertThat(unet.inChannels()).isEqualTo(4);
            assertThat(clip.width()).isEqualTo(768);
            assertThat(clip.layerCount()).isEqualTo(12);
            assertThat(root.unconsumed()).containsExactlyInAnyOrderElementsOf(Sd1LayoutTest.DDPM_BUFFERS);
        }
    }

    @Test
    void fullSizeSd15UNetFromTheGeneratedLayoutRunsAForwardPass() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Weights root = Weights.of(new SyntheticTensorSource(Sd1Layout.tensors(Sd1Layout.SD15), StoredType.F32, 3),
                    m, DataType.FLOAT32);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX));
            try (NDManager call = m.newSubManager()) {
                long start = System.nanoTime();
                NDArray eps = unet.predict(TorchCpuRandom.randn(call, 1, new Shape(1, 4, 8, 8)),
                        call.create(new float[] {500f}), TorchCpuRandom.randn(call, 2, new Shape(1, 77, 768)));
                System.out.printf("synthetic SD 1.5 UNet, 8x8 latent: %.2f s%n", (System.nanoTime() - start) / 1e9);
                assertThat(eps.getShape()).isEqualTo(new Shape(1, 4, 8, 8));
                assertThat(eps.isNaN().any().getBoolean() || eps.isInfinite().any().getBoolean()).isFalse();
            }
        }
    }

    @Test
    void synthesisedMiniModelRunsEndToEndWithFiniteOutputs() {
        try (NDManager m = Torch.newManager(Device.cpu())) {
            Weights root = Weights.of(new SyntheticTensorSource(Sd1Layout.tensors(Sd1LayoutTest.MINI), StoredType.F16, 7),
                    m, DataType.FLOAT32);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX));
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX));
            ClipTextModel clip = ClipTextModel.load(root.at(ClipTextModel.PREFIX), 4);
            assertThat(root.unconsumed()).isEmpty();
            try (NDManager call = m.newSubManager()) {
                long[] ids = new long[77];
                Arrays.fill(ids, 49407);
                ids[0] = 49406;
                NDArray context = clip.encode(call.create(ids, new Shape(1, 77)), 1);
                NDArray eps = unet.predict(TorchCpuRandom.randn(call, 1, new Shape(1, 4, 8, 8)),
                        call.create(new float[] {500f}), context);
                NDArray image = vae.decode(eps);
                assertThat(image.getShape()).isEqualTo(new Shape(1, 3, 64, 64));
                assertThat(image.isInfinite().any().getBoolean() || image.isNaN().any().getBoolean()).isFalse();
                assertThat(eps.abs().max().getFloat()).isGreaterThan(0f);
            }
        }
    }
}

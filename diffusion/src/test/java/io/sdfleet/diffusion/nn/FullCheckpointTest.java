package io.sdfleet.diffusion.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.unet.UNetModel;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The three modules together against whole single-file checkpoints. */
class FullCheckpointTest {

    @Test
    void loadingAllThreeComponentsLeavesOnlyTheDdpmBuffers() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            Weights root = Weights.of(checkpoint, m, DataType.FLOAT32);
            UNetModel.load(root.at(UNetModel.PREFIX));
            AutoencoderKL.load(root.at(AutoencoderKL.PREFIX));
            ClipTextModel.load(root.at(ClipTextModel.PREFIX), 4);
            System.out.println("unconsumed after loading UNet, VAE, CLIP: " + root.unconsumed());
            assertThat(root.unconsumed()).containsExactlyInAnyOrderElementsOf(Sd1LayoutTest.DDPM_BUFFERS);
        }
    }

    @Test
    void fp16MiniSd1RunsTextToImageShapesAtFp32() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = SafetensorsFile.open(Reference.file("features/models/mini_sd1.safetensors"))) {
            Weights root = Weights.of(checkpoint, m, DataType.FLOAT32);
            int heads = Reference.json("features/models/mini_sd1.json").path("cond_stage_config")
                    .path("num_attention_heads").asInt();
            ClipTextModel clip = ClipTextModel.load(root.at(ClipTextModel.PREFIX), heads);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX));
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX));
            assertThat(root.unconsumed()).allMatch(Sd1LayoutTest.DDPM_BUFFERS::contains);
            try (NDManager call = m.newSubManager()) {
                long[] ids = new long[77];
                Arrays.fill(ids, 49407);
                ids[0] = 49406;
                ids[1] = 320;
                NDArray context = clip.encode(call.create(ids, new Shape(1, 77)), 1);
                assertThat(context.getShape()).isEqualTo(new Shape(1, 77, 64));
                NDArray eps = unet.predict(TorchCpuRandom.randn(call, 5, new Shape(1, 4, 8, 8)),
                        call.create(new float[] {500f}), context);
                NDArray image = vae.decode(eps.div(AutoencoderKL.SD_SCALE_FACTOR));
                assertThat(image.getShape()).isEqualTo(new Shape(1, 3, 64, 64));
                assertThat(image.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(image.isNaN().any().getBoolean()).isFalse();
                NDArray back = vae.encode(image).mean();
                assertThat(back.getShape()).isEqualTo(new Shape(1, 4, 8, 8));
            }
        }
    }
}

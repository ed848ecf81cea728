package io.sdfleet.diffusion.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TilingDecodeTest {

    @Test
    void decodesTheTiledLatentWithCircularConvsFromTheFp16Model() {
        SafetensorsFile ref = Reference.tensors("features/cases/tiling_A.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("features/models/mini_sd1.safetensors")) {
            AutoencoderKL vae = AutoencoderKL.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(AutoencoderKL.PREFIX));
            VaeSettings circular = new VaeSettings(PaddingMode.CIRCULAR, vae.attention(), null);
            try (NDManager call = m.newSubManager()) {
                NDArray latent = Tensors.load(ref.get("latent"), call);
                NDArray decoded = vae.decode(latent.div(AutoencoderKL.SD_SCALE_FACTOR), circular);
                double err = Tensors.maxAbs(decoded, ref.get("decoded"));
                System.out.printf("tiling VAE decode max-abs %.3g%n", err);
                assertThat(err).isLessThan(1e-4);
            }
        }
    }
}

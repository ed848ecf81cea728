package io.sdfleet.diffusion.unet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.clip.ClipTextModel;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import io.sdfleet.diffusion.vae.AutoencoderKL;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * fp16 weights (the GPU setting) run on CPU too: fp32 inputs are converted on the way in and back on the way
 * out. Only fp16's precision is expected, so the gates are loose; the point is that every op accepts half.
 */
class HalfPrecisionTest {

    @Test
    void modulesWithFp16WeightsTakeAndReturnFp32() {
        SafetensorsFile unetRef = Reference.tensors("cases/unet.safetensors");
        SafetensorsFile vaeRef = Reference.tensors("cases/vae.safetensors");
        SafetensorsFile textRef = Reference.tensors("cases/text_encoder.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            Weights root = Weights.of(checkpoint, m, DataType.FLOAT16);
            UNetModel unet = UNetModel.load(root.at(UNetModel.PREFIX));
            AutoencoderKL vae = AutoencoderKL.load(root.at(AutoencoderKL.PREFIX));
            ClipTextModel clip = ClipTextModel.load(root.at(ClipTextModel.PREFIX), 4);
            try (NDManager call = m.newSubManager()) {
                NDArray eps = unet.predict(Tensors.load(unetRef.get("a.x"), call),
                        Tensors.load(unetRef.get("a.timesteps"), call), Tensors.load(unetRef.get("a.context"), call));
                assertThat(eps.getDataType()).isEqualTo(DataType.FLOAT32);
                double unetErr = Tensors.maxAbs(eps, unetRef.get("a.eps"));

                NDArray decoded = vae.decode(Tensors.load(vaeRef.get("dec_a.latent_scaled"), call)
                        .div(AutoencoderKL.SD_SCALE_FACTOR));
                assertThat(decoded.getDataType()).isEqualTo(DataType.FLOAT32);
                double vaeErr = Tensors.maxAbs(decoded, vaeRef.get("dec_a.decoded"));

                NDArray hidden = clip.encode(Tensors.load(textRef.get("input_ids"), call), 1);
                double clipErr = Tensors.maxAbs(hidden.toType(DataType.FLOAT32, false), textRef.get("last_hidden_state"));
                System.out.printf("fp16 weights max-abs: UNet %.3g, VAE %.3g, CLIP %.3g%n", unetErr, vaeErr, clipErr);
                assertThat(unetErr).isLessThan(0.05);
                assertThat(vaeErr).isLessThan(0.05);
                assertThat(clipErr).isLessThan(0.05);
            }
        }
    }
}

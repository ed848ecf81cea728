package io.sdfleet.diffusion.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Newer conversions store the VAE attention projections as [C, C] linears instead of [C, C, 1, 1] convs. */
class LinearAttentionWeightsTest {

    @Test
    void decodesTheSameWithLinearShapedAttentionWeights() {
        SafetensorsFile ref = Reference.tensors("cases/vae.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            TensorSource flattened = new TensorSource() {
                @Override
                public Set<String> keys() {
                    return checkpoint.keys();
                }

                @Override
                public StoredTensor get(String key) {
                    StoredTensor t = checkpoint.get(key);
                    if (key.contains(".attn_1.") && key.endsWith(".weight") && t.shape().length == 4) {
                        return new StoredTensor(key, t.type(), new long[] {t.shape()[0], t.shape()[1]}, t.data());
                    }
                    return t;
                }
            };
            Weights w = Weights.of(flattened, m, DataType.FLOAT32).at(AutoencoderKL.PREFIX);
            assertThat(w.shape("decoder.mid.attn_1.q.weight")).hasSize(2);
            AutoencoderKL vae = AutoencoderKL.load(w);
            try (NDManager call = m.newSubManager()) {
                NDArray decoded = vae.decode(Tensors.load(ref.get("dec_a.latent_scaled"), call)
                        .div(AutoencoderKL.SD_SCALE_FACTOR));
                assertThat(Tensors.maxAbs(decoded, ref.get("dec_a.decoded"))).isLessThan(1e-4);
            }
        }
    }
}

package io.sdfleet.diffusion.unet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** sgm's SDXL UNet (base: 3 levels; refiner: 4 levels) on the mini checkpoints against {@code sdxl/cases/unet}. */
class SdxlUNetTest {

    private static final double TOLERANCE = 1e-4;
    /** The minis' num_head_channels (their sidecars say so; the real models use 64). */
    private static final HeadLayout MINI_HEADS = HeadLayout.fixedWidth(16);

    @ParameterizedTest
    @CsvSource({"base_a, mini_sdxl_base, 1568", "refiner_a, mini_sdxl_refiner, 1312"})
    void matchesTheReferenceEpsAndEmbeddings(String name, String model, int adm) {
        SafetensorsFile ref = Reference.tensors("sdxl/cases/unet.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("sdxl/models/" + model + ".safetensors")) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX),
                    MINI_HEADS, NoisePredictor.Prediction.EPSILON, Attention.chunked());
            assertThat(unet.admInChannels()).isEqualTo(adm);
            try (NDManager call = m.newSubManager()) {
                NDArray x = Tensors.load(ref.get(name + ".x"), call);
                NDArray t = Tensors.load(ref.get(name + ".t"), call);
                NDArray context = Tensors.load(ref.get(name + ".context"), call);
                NDArray y = Tensors.load(ref.get(name + ".y"), call);

                double sinusoid = Tensors.maxAbs(TimestepEmbedding.sinusoid(call, t, unet.modelChannels()),
                        ref.get(name + ".timestep_embedding"));
                double timeEmbed = Tensors.maxAbs(unet.timeEmbedding(call, t), ref.get(name + ".time_embed_out"));
                double labelEmbed = Tensors.maxAbs(unet.labelEmbedding(y), ref.get(name + ".label_emb_out"));
                NDArray eps = unet.predict(x, t, context, y);
                assertThat(eps.getManager()).isSameAs(call);
                double epsErr = Tensors.maxAbs(eps, ref.get(name + ".eps"));
                NDArray forRun = unet.with(new UNetSettings(PaddingMode.ZEROS, new Attention(7), null))
                        .predict(x, t, context, y);
                double chunked = Tensors.maxAbs(forRun, ref.get(name + ".eps"));
                System.out.printf("SDXL UNet %s max-abs: timestep_embedding %.3g, time_embed %.3g, label_emb %.3g, "
                        + "eps %.3g (chunked run %.3g)%n", name, sinusoid, timeEmbed, labelEmbed, epsErr, chunked);
                assertThat(sinusoid).isLessThan(TOLERANCE);
                assertThat(timeEmbed).isLessThan(TOLERANCE);
                assertThat(labelEmbed).isLessThan(TOLERANCE);
                assertThat(epsErr).isLessThan(TOLERANCE);
                assertThat(chunked).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void anSdxlUNetRefusesToRunWithoutTheVector() {
        SafetensorsFile ref = Reference.tensors("sdxl/cases/unet.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("sdxl/models/mini_sdxl_base.safetensors")) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX),
                    MINI_HEADS, NoisePredictor.Prediction.EPSILON, Attention.chunked());
            try (NDManager call = m.newSubManager()) {
                NDArray x = Tensors.load(ref.get("base_a.x"), call);
                NDArray t = Tensors.load(ref.get("base_a.t"), call);
                NDArray context = Tensors.load(ref.get("base_a.context"), call);
                assertThatThrownBy(() -> unet.predict(x, t, context))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("vector conditioning y");
                NDArray refinerY = Tensors.load(ref.get("refiner_a.y"), call);
                assertThatThrownBy(() -> unet.predict(x, t, context, refinerY))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("adm_in_channels 1568");
            }
        }
    }

    @Test
    void anSd1UNetTakesNoVector() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX));
            assertThat(unet.admInChannels()).isZero();
            try (NDManager call = m.newSubManager()) {
                NDArray x = call.zeros(new ai.djl.ndarray.types.Shape(1, 4, 8, 8));
                NDArray t = call.create(new float[] {500f});
                NDArray context = call.zeros(new ai.djl.ndarray.types.Shape(1, 77, 64));
                assertThat(unet.predict(x, t, context, (NDArray) null).getShape()).isEqualTo(x.getShape());
                NDArray y = call.zeros(new ai.djl.ndarray.types.Shape(1, 16));
                assertThatThrownBy(() -> unet.predict(x, t, context, y))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("no label_emb");
            }
        }
    }
}

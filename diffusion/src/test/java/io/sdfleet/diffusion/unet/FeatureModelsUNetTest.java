package io.sdfleet.diffusion.unet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Single UNet calls of the part-2 reference models (stored fp16, computed fp32): gate rel 1e-4 of max|x|. */
class FeatureModelsUNetTest {

    @Test
    void sd2LinearProjectionsAndSixteenWideHeadsPredictV() {
        SafetensorsFile ref = Reference.tensors("features/cases/sd2v_C.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("features/models/mini_sd2v.safetensors")) {
            int headWidth = Reference.json("features/models/mini_sd2v.json").path("unet_config")
                    .path("num_head_channels").asInt();
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX),
                    HeadLayout.fixedWidth(headWidth), NoisePredictor.Prediction.V, Attention.chunked());
            try (NDManager call = m.newSubManager()) {
                NDArray v = unet.predict(Tensors.load(ref.get("x_probe"), call),
                        Tensors.load(ref.get("t_probe"), call), Tensors.load(ref.get("cond"), call));
                double err = Tensors.maxAbs(v, ref.get("v_probe"));
                double scale = Tensors.load(ref.get("v_probe"), call).abs().max().getFloat();
                System.out.printf("SD2-v UNet probe max-abs %.3g (max|v| %.3g)%n", err, scale);
                assertThat(err).isLessThan(1e-4 * Math.max(1, scale));
            }
        }
    }

    @Test
    void circularPaddingOnEveryConvMatchesA1111Tiling() {
        SafetensorsFile ref = Reference.tensors("features/cases/tiling_A.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("features/models/mini_sd1.safetensors")) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX));
            try (NDManager call = m.newSubManager()) {
                NDArray eps = unet.predict(Tensors.load(ref.get("noise"), call), call.create(new float[] {500f}),
                        Tensors.load(ref.get("cond"), call),
                        new UNetSettings(PaddingMode.CIRCULAR, unet.attention(), null));
                double err = Tensors.maxAbs(eps, ref.get("eps_probe"));
                System.out.printf("tiling UNet probe max-abs %.3g%n", err);
                assertThat(err).isLessThan(1e-4);

                // the untiled model differs
                NDArray plain = unet.predict(Tensors.load(ref.get("noise"), call), call.create(new float[] {500f}),
                        Tensors.load(ref.get("cond"), call));
                assertThat(Tensors.maxAbs(plain, ref.get("eps_probe"))).isGreaterThan(1e-3);
            }
        }
    }
}

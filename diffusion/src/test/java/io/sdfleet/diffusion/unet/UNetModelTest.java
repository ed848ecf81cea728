package io.sdfleet.diffusion.unet;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.model.NoisePredictor;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import io.sdfleet.diffusion.testing.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class UNetModelTest {

    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"a", "b", "c"})
    void matchesReferenceEps(String name) {
        SafetensorsFile ref = Reference.tensors("cases/unet.safetensors");
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX));
            assertThat(unet.modelChannels()).isEqualTo(32);
            assertThat(unet.contextDim()).isEqualTo(64);
            assertThat(unet.prediction()).isEqualTo(NoisePredictor.Prediction.EPSILON);
            try (NDManager call = m.newSubManager()) {
                NDArray x = Tensors.load(ref.get(name + ".x"), call);
                NDArray t = Tensors.load(ref.get(name + ".timesteps"), call);
                NDArray context = Tensors.load(ref.get(name + ".context"), call);
                NDArray eps = unet.predict(x, t, context);
                assertThat(eps.getManager()).isSameAs(call);
                double err = Tensors.maxAbs(eps, ref.get(name + ".eps"));
                System.out.printf("UNet case %s max-abs %.3g%n", name, err);
                assertThat(err).isLessThan(TOLERANCE);

                // uneven chunks, several per attention layer
                NDArray chunkedEps = unet.predict(x, t, context,
                        new UNetSettings(PaddingMode.ZEROS, new Attention(7), null));
                double chunked = Tensors.maxAbs(chunkedEps, eps);
                double chunkedErr = Tensors.maxAbs(chunkedEps, ref.get(name + ".eps"));
                System.out.printf("UNet case %s chunked vs whole max-abs %.3g, vs reference %.3g%n",
                        name, chunked, chunkedErr);
                // same arithmetic up to float summation order inside the smaller matmuls
                assertThat(chunked).isLessThan(1e-5);
                assertThat(chunkedErr).isLessThan(TOLERANCE);
            }
        }
    }

    @Test
    void latentSidesThatAreNotMultiplesOfEightResizeTheUpsampledTensor() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("mini_sd15_fp32.safetensors")) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX));
            try (NDManager call = m.newSubManager()) {
                NDArray x = TorchCpuRandom.randn(call, 1, new Shape(1, 4, 9, 13));
                NDArray context = TorchCpuRandom.randn(call, 2, new Shape(1, 77, 64));
                NDArray eps = unet.predict(x, call.create(new float[] {321.5f}), context);
                assertThat(eps.getShape()).isEqualTo(new Shape(1, 4, 9, 13));
                assertThat(eps.isNaN().any().getBoolean()).isFalse();
            }
        }
    }

    @Test
    void runsTheFp16MiniModelAtFp32() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = SafetensorsFile.open(
                     Reference.file("features/models/mini_sd1.safetensors"))) {
            UNetModel unet = UNetModel.load(Weights.of(checkpoint, m, DataType.FLOAT32).at(UNetModel.PREFIX),
                    HeadLayout.SD1, NoisePredictor.Prediction.EPSILON, new Attention(0));
            try (NDManager call = m.newSubManager()) {
                NDArray x = TorchCpuRandom.randn(call, 3, new Shape(2, 4, 8, 8));
                NDArray context = TorchCpuRandom.randn(call, 4, new Shape(2, 77, 64));
                NDArray eps = unet.predict(x, call.create(new float[] {999f, 1f}), context);
                assertThat(eps.getShape()).isEqualTo(x.getShape());
                assertThat(eps.getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(eps.isNaN().any().getBoolean()).isFalse();
                assertThat(eps.abs().max().getFloat()).isGreaterThan(0f);
            }
        }
    }
}

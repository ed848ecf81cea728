package io.sdfleet.diffusion.vae;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A1111's automatic fallback of an fp16 VAE to fp32 when the decode comes out NaN, on the mini SDXL VAE with its
 * weights stored in fp16 (so that the fp16 and fp32 VAEs hold the same numbers).
 */
class VaePrecisionFallbackTest {

    /** decoder.conv_in's weights × this: its fp16 output passes 65504 (inf), its fp32 output is merely large. */
    private static final float OVERFLOWING_SCALE = 2e4f;

    @Test
    void anOverflowingFp16DecodeIsRedoneInFp32AndTheVaeStaysFp32() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("sdxl/models/mini_sdxl_base.safetensors")) {
            TensorSource overflowing = new HalfStored(checkpoint, "first_stage_model.decoder.conv_in.weight",
                    OVERFLOWING_SCALE);
            AutoencoderKL half = load(overflowing, m, DataType.FLOAT16);
            AutoencoderKL full = load(overflowing, m, DataType.FLOAT32);
            try (NDManager call = m.newSubManager()) {
                NDArray z = TorchCpuRandom.randn(call, 3, new Shape(2, 4, 8, 8));
                try (NDArray plainHalf = decodeWithoutFallback(overflowing, call, z)) {
                    assertThat(finite(plainHalf)).as("the fp16 decode itself overflows").isFalse();
                }
                NDArray expected = full.decode(z);
                assertThat(finite(expected)).as("the fp32 decode is finite").isTrue();

                VaeDecode decoded = half.decodeReporting(z, new VaeSettings(
                        PaddingMode.ZEROS, half.attention(), null));
                double err = expected.sub(decoded.image()).abs().max().getFloat();
                System.out.printf("fp16 VAE fallback: reverted %s, max-abs vs the fp32 decode %.3g (range ±%.3g)%n",
                        decoded.revertedToFloat32(), err, expected.abs().max().getFloat());
                assertThat(decoded.revertedToFloat32()).isTrue();
                assertThat(finite(decoded.image())).isTrue();
                assertThat(err).isEqualTo(0.0);
                assertThat(half.floatType()).isEqualTo(DataType.FLOAT32);

                VaeDecode again = half.decodeReporting(z, new VaeSettings(
                        PaddingMode.ZEROS, half.attention(), null));
                assertThat(again.revertedToFloat32()).as("already fp32: nothing to fall back from").isFalse();
                assertThat(expected.sub(again.image()).abs().max().getFloat()).isEqualTo(0f);
            }
        }
    }

    @Test
    void aFiniteFp16DecodeStaysInFp16() {
        try (NDManager m = Torch.newManager(Device.cpu());
             SafetensorsFile checkpoint = Reference.tensors("sdxl/models/mini_sdxl_base.safetensors")) {
            TensorSource source = new HalfStored(checkpoint, "", 1f);
            AutoencoderKL half = load(source, m, DataType.FLOAT16);
            AutoencoderKL full = load(source, m, DataType.FLOAT32);
            try (NDManager call = m.newSubManager()) {
                NDArray z = TorchCpuRandom.randn(call, 4, new Shape(1, 4, 8, 8));
                VaeDecode decoded = half.with(new VaeSettings(PaddingMode.ZEROS,
                        half.attention(), null)).decodeReporting(z);
                double err = full.decode(z).sub(decoded.image()).abs().max().getFloat();
                System.out.printf("fp16 VAE, no overflow: reverted %s, max-abs vs fp32 %.3g%n",
                        decoded.revertedToFloat32(), err);
                assertThat(decoded.revertedToFloat32()).isFalse();
                assertThat(half.floatType()).isEqualTo(DataType.FLOAT16);
                assertThat(decoded.image().getDataType()).isEqualTo(DataType.FLOAT32);
                assertThat(err).isLessThan(0.05); // fp16 rounding only
            }
        }
    }

    private static AutoencoderKL load(TensorSource source, NDManager m, DataType precision) {
        return AutoencoderKL.load(Weights.of(source, m, precision).at(AutoencoderKL.PREFIX), Attention.chunked(),
                AutoencoderKL.SDXL_SCALE_FACTOR);
    }

    /** What the fp16 VAE gives without the fallback: the decoder run by hand in fp16. */
    private static NDArray decodeWithoutFallback(TensorSource source, NDManager m, NDArray z) {
        Weights w = Weights.of(source, m, DataType.FLOAT16).at(AutoencoderKL.PREFIX);
        Decoder decoder = new Decoder(w.at("decoder"));
        Conv2d postQuant = Conv2d.load(w.at("post_quant_conv"), 1, 0);
        try (NDArray input = z.toType(DataType.FLOAT16, true);
             NDArray quantized = postQuant.forward(input, PaddingMode.ZEROS)) {
            return decoder.forward(quantized, new VaeSettings(PaddingMode.ZEROS,
                    Attention.chunked(), null).stages());
        }
    }

    private static boolean finite(NDArray x) {
        return !(x.isNaN().any().getBoolean() || x.isInfinite().any().getBoolean());
    }

    /** The checkpoint with every float tensor stored in fp16, {@code scaledKey} multiplied by {@code scale}. */
    private record HalfStored(TensorSource source, String scaledKey, float scale) implements TensorSource {

        @Override
        public Set<String> keys() {
            return source.keys();
        }

        @Override
        public StoredTensor get(String key) {
            StoredTensor t = source.get(key);
            if (t.type() != StoredType.F32 && t.type() != StoredType.F16 && t.type() != StoredType.BF16) {
                return t;
            }
            float[] values = t.toFloats();
            float factor = key.equals(scaledKey) ? scale : 1f;
            ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < values.length; i++) {
                out.putShort(i * 2, Float.floatToFloat16(values[i] * factor));
            }
            return new StoredTensor(key, StoredType.F16, t.shape(), out);
        }
    }
}

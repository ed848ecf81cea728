package io.sdfleet.diffusion.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import io.sdfleet.diffusion.runtime.TorchCpuRandom;
import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsFileTest {

    @Test
    void roundTripsEveryTypeThroughWriterAndReader(@TempDir Path dir) {
        ByteBuffer bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        bf16.putShort((short) (Float.floatToIntBits(1.5f) >>> 16)).putShort((short) (Float.floatToIntBits(-2f) >>> 16)).flip();
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter()
                .putFloats("a", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .putLongs("ids", new long[] {3}, new long[] {49406, 7, 49407})
                .put(new StoredTensor("half", StoredType.BF16, new long[] {2}, bf16))
                .metadata("format", "pt")
                .write(file);

        SafetensorsFile read = SafetensorsFile.open(file);
        assertThat(read.keys()).containsExactly("a", "ids", "half");
        assertThat(read.get("a").toFloats()).containsExactly(1, 2, 3, 4);
        assertThat(read.get("ids").toLongs()).containsExactly(49406, 7, 49407);
        assertThat(read.metadata()).containsEntry("format", "pt");
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray widened = Weights.of(read, m, DataType.FLOAT32).take("half");
            assertThat(widened.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(widened.toFloatArray()).containsExactly(1.5f, -2f);
        }
    }

    @Test
    void reportsMissingKeyByName(@TempDir Path dir) {
        Path file = dir.resolve("t.safetensors");
        new SafetensorsWriter().putFloats("x", new long[] {1}, new float[] {1}).write(file);
        assertThatThrownBy(() -> SafetensorsFile.open(file).get("y")).hasMessageContaining("y");
    }

    @Test
    void seededNoiseEqualsTorchCpuRandn() {
        var noiseCase = Reference.tensors("cases/txt2img_euler.safetensors").get("noise");
        long seed = Reference.json("cases/txt2img_euler.json").path("seed").asLong();
        try (NDManager m = Torch.newManager(Device.cpu())) {
            NDArray noise = TorchCpuRandom.randn(m, seed, new Shape(noiseCase.shape()));
            assertThat(noise.toFloatArray()).containsExactly(noiseCase.toFloats());
        }
    }
}

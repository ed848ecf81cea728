package io.sdfleet.diffusion.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.runtime.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointFilesTest {

    @Test
    void halfAndBfloat16SafetensorsLoadAndWidenExactly(@TempDir Path dir) {
        // Values chosen to be exact in each format: fp16 has 10 mantissa bits, bf16 keeps 7.
        float[] halfValues = {1.5f, -2f, 0.333251953125f, 65504f, 6.1035156e-05f};
        float[] bf16Values = {3.140625f, -1e30f, 1.17549435e-38f, 0.0078125f};
        ByteBuffer half = ByteBuffer.allocate(halfValues.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : halfValues) {
            half.putShort(Float.floatToFloat16(v));
        }
        ByteBuffer bf16 = ByteBuffer.allocate(bf16Values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : bf16Values) {
            bf16.putShort((short) (Float.floatToRawIntBits(v) >>> 16));
        }
        bf16Values[1] = Float.intBitsToFloat(Float.floatToRawIntBits(-1e30f) & 0xFFFF0000); // truncated like bf16
        Path file = dir.resolve("mixed.safetensors");
        new SafetensorsWriter()
                .put(new StoredTensor("half", StoredType.F16, new long[] {halfValues.length}, half.flip()))
                .put(new StoredTensor("brain", StoredType.BF16, new long[] {2, 2}, bf16.flip()))
                .write(file);

        try (NDManager manager = Torch.newManager(Device.cpu()); TensorSource source = CheckpointFiles.open(file)) {
            assertThat(source.get("half").type()).isEqualTo(StoredType.F16);
            assertThat(source.get("brain").type()).isEqualTo(StoredType.BF16);
            assertThat(source.get("brain").data()).isInstanceOf(MappedByteBuffer.class);
            Weights weights = Weights.of(source, manager, DataType.FLOAT32);
            NDArray h = weights.take("half");
            NDArray b = weights.take("brain");
            assertThat(h.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(b.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(h.toFloatArray()).containsExactly(halfValues);
            assertThat(b.toFloatArray()).containsExactly(bf16Values);
            assertThat(b.getShape().getShape()).containsExactly(2, 2);
        }
    }

    @Test
    void modelHashIsTheSha256OfTheWholeFileCutToTenCharacters(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("abc.safetensors");
        Files.writeString(file, "abc", StandardCharsets.US_ASCII);
        // FIPS 180-2 test vector: sha256("abc")
        String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(ModelHash.computeSha256(file)).isEqualTo(abc);
        assertThat(ModelHash.shortHash(file)).isEqualTo("ba7816bf8f");
        try (var files = Files.list(dir)) {
            assertThat(files).as("nothing written beside the checkpoint").containsExactly(file);
        }
        assertThat(ModelHash.sha256(file)).isEqualTo(abc); // now from the in-process cache

        Files.writeString(file, "abd", StandardCharsets.US_ASCII);
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(file).toMillis() + 5000));
        assertThat(ModelHash.sha256(file)).isNotEqualTo(abc).isEqualTo(ModelHash.computeSha256(file));
    }

    @Test
    void modelHashStreamsFilesLargerThanItsBuffer(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("big.bin");
        byte[] block = new byte[3 * (1 << 20) + 7];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i * 31);
        }
        Files.write(file, block);
        String expected = HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(block));
        assertThat(ModelHash.computeSha256(file)).isEqualTo(expected);
    }
}

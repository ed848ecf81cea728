package io.sdfleet.diffusion.checkpoint;

import io.sdfleet.diffusion.testing.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TorchCheckpointTest {

    @Test
    void zipCheckpointSavedByTorchEqualsItsReferenceTensors() {
        assertSameTensors(CheckpointFiles.open(Reference.file("a1111/checkpoints/zip_subset.ckpt")),
                Reference.tensors("a1111/checkpoints/zip_subset_reference.safetensors"));
        TorchCheckpoint ckpt = TorchCheckpoint.open(Reference.file("a1111/checkpoints/zip_subset.ckpt"));
        assertThat(ckpt.globalStep()).hasValue(840000);
    }

    @Test
    void legacyPickleCheckpointEqualsItsReferenceTensors() {
        assertSameTensors(CheckpointFiles.open(Reference.file("a1111/checkpoints/legacy_subset.pt")),
                Reference.tensors("a1111/checkpoints/legacy_subset_reference.safetensors"));
        TorchCheckpoint ckpt = TorchCheckpoint.open(Reference.file("a1111/checkpoints/legacy_subset.pt"));
        assertThat(ckpt.globalStep()).hasValue(7);
        assertThat(CheckpointFiles.formatOf(ckpt.path())).isEqualTo(CheckpointFiles.Format.TORCH_LEGACY);
    }

    @Test
    void generatedLdmCheckpointReadsTheSameAsSafetensorsAndTorchZip(@TempDir Path dir) {
        Random random = new Random(42);
        List<StoredTensor> tensors = List.of(
                randomTensor(random, "model.diffusion_model.input_blocks.0.0.weight", StoredType.F32, 8, 4, 3, 3),
                randomTensor(random, "model.diffusion_model.input_blocks.0.0.bias", StoredType.F16, 8),
                randomTensor(random, "first_stage_model.decoder.mid.attn_1.q.weight", StoredType.F16, 16, 16, 1, 1),
                randomTensor(random, "cond_stage_model.transformer.text_model.final_layer_norm.weight", StoredType.F32, 64),
                randomTensor(random, "cond_stage_model.transformer.text_model.embeddings.position_ids", StoredType.I64, 1, 77),
                randomTensor(random, "alphas_cumprod", StoredType.F32, 1000));
        SafetensorsWriter safetensors = new SafetensorsWriter();
        TorchZipWriter torch = new TorchZipWriter().globalStep(470000);
        tensors.forEach(t -> {
            safetensors.put(t);
            torch.tensor(t);
        });
        Path st = dir.resolve("tiny.safetensors");
        Path ckpt = dir.resolve("tiny.ckpt");
        safetensors.write(st);
        torch.write(ckpt);

        assertThat(CheckpointFiles.formatOf(ckpt)).isEqualTo(CheckpointFiles.Format.TORCH_ZIP);
        assertThat(CheckpointFiles.formatOf(st)).isEqualTo(CheckpointFiles.Format.SAFETENSORS);
        try (TensorSource fromZip = CheckpointFiles.open(ckpt); TensorSource fromSt = CheckpointFiles.open(st)) {
            assertSameTensors(fromZip, fromSt);
            assertThat(fromZip.keys()).hasSize(6);
        }
        assertThat(TorchCheckpoint.open(ckpt).globalStep()).hasValue(470000);
    }

    @Test
    void tensorsWithAStorageOffsetAreSlicedFromTheirStorage(@TempDir Path dir) {
        ByteBuffer floats = ByteBuffer.allocate(10 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 10; i++) {
            floats.putFloat(i);
        }
        Path ckpt = dir.resolve("shared.ckpt");
        new TorchZipWriter()
                .storage("0", StoredType.F32, floats.array())
                .view("head", new TorchZipWriter.View("0", 0, new long[] {2, 2}, new long[] {2, 1}))
                .view("tail", new TorchZipWriter.View("0", 6, new long[] {4}, new long[] {1}))
                .view("transposed", new TorchZipWriter.View("0", 0, new long[] {2, 3}, new long[] {1, 2}))
                .write(ckpt);

        TorchCheckpoint read = TorchCheckpoint.open(ckpt);
        assertThat(read.get("head").toFloats()).containsExactly(0, 1, 2, 3);
        assertThat(read.get("tail").toFloats()).containsExactly(6, 7, 8, 9);
        assertThat(read.get("tail").shape()).containsExactly(4);
        assertThatThrownBy(() -> read.get("transposed"))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("transposed").hasMessageContaining("not contiguous");
    }

    @Test
    void refusesAPickleThatCallsOsSystemAndRunsNothing(@TempDir Path dir) {
        Path marker = dir.resolve("pwned");
        for (String module : List.of("posix", "os", "builtins", "subprocess")) {
            String name = module.equals("builtins") ? "eval" : module.equals("subprocess") ? "call" : "system";
            // {"state_dict": posix.system("touch <marker>")}
            byte[] pickle = new PickleBytes().proto().emptyDict().mark().string("state_dict")
                    .global(module, name).string("touch " + marker).opByte(0x85).reduce()
                    .setItems().stop().bytes();
            Path ckpt = dir.resolve("evil_" + module + ".ckpt");
            TorchZipWriter.writeZip(ckpt, pickle, Map.of());

            assertThatThrownBy(() -> CheckpointFiles.open(ckpt))
                    .isInstanceOf(CheckpointException.class)
                    .hasMessageContaining("'" + module + "." + name + "'")
                    .hasMessageContaining("not allowed");
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void refusesAnUnknownGlobalEvenWhenOnlyReferencedNotCalled(@TempDir Path dir) {
        byte[] pickle = new PickleBytes().proto().emptyDict().mark().string("x")
                .global("torch.nn.modules.linear", "Linear").setItems().stop().bytes();
        Path ckpt = dir.resolve("module.pt");
        TorchZipWriter.writeZip(ckpt, pickle, Map.of());
        assertThatThrownBy(() -> TorchCheckpoint.open(ckpt)).hasMessageContaining("torch.nn.modules.linear.Linear");
    }

    @Test
    void tensorBytesStayInTheFileMapping() {
        for (String file : List.of("a1111/checkpoints/zip_subset.ckpt", "a1111/checkpoints/legacy_subset.pt",
                "a1111/checkpoints/zip_subset_reference.safetensors")) {
            try (TensorSource source = CheckpointFiles.open(Reference.file(file))) {
                for (String key : source.keys()) {
                    assertThat(source.get(key).data()).as(file + " " + key).isInstanceOf(MappedByteBuffer.class);
                }
            }
        }
    }

    @Test
    void rejectsAFileThatIsNoCheckpoint(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.ckpt");
        Files.writeString(text, "hello, not a model");
        assertThatThrownBy(() -> CheckpointFiles.open(text)).hasMessageContaining("notes.ckpt");
    }

    static void assertSameTensors(TensorSource actual, TensorSource expected) {
        assertThat(actual.keys()).containsExactlyInAnyOrderElementsOf(expected.keys());
        for (String key : expected.keys()) {
            StoredTensor a = actual.get(key);
            StoredTensor e = expected.get(key);
            assertThat(a.type()).as(key).isEqualTo(e.type());
            assertThat(a.shape()).as(key).containsExactly(e.shape());
            assertThat(bytes(a)).as(key).isEqualTo(bytes(e));
        }
    }

    static byte[] bytes(StoredTensor t) {
        byte[] b = new byte[t.data().remaining()];
        t.data().duplicate().get(b);
        return b;
    }

    private static StoredTensor randomTensor(Random random, String name, StoredType type, long... shape) {
        int n = Math.toIntExact(StoredTensor.elementCount(shape));
        ByteBuffer b = ByteBuffer.allocate(n * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (type) {
                case F32 -> b.putFloat((float) random.nextGaussian());
                case F16 -> b.putShort(Float.floatToFloat16((float) random.nextGaussian()));
                case I64 -> b.putLong(i);
                default -> throw new IllegalArgumentException(type.name());
            }
        }
        return new StoredTensor(name, type, shape, b.flip());
    }
}

package io.sdfleet.diffusion.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TorchCheckpoint#data()} on the layout of an A1111 hypernetwork: int keys holding tuples of OrderedDict
 * state dicts, next to plain options. Tensors come back as StoredTensors named by their path.
 */
class TorchCheckpointDataTest {

    @Test
    void intKeysTuplesAndNestedStateDictsComeBackAsPlainData(@TempDir Path dir) {
        Map<String, byte[]> storages = new LinkedHashMap<>();
        PickleBytes p = new PickleBytes().proto().emptyDict().mark().integer(64);
        for (int side = 0; side < 2; side++) {
            p.global("collections", "OrderedDict").emptyTuple().reduce().mark();
            tensor(p, storages, "linear.0.weight", new float[] {side, 1, 2, 3}, 2, 2);
            tensor(p, storages, "linear.0.bias", new float[] {side + 10, 11}, 2);
            p.setItems();
        }
        p.opByte(0x86); // TUPLE2: (keys state dict, values state dict)
        p.string("activation_func").string("relu").string("activate_output").newFalse().setItems().stop();
        Path file = dir.resolve("hyper.pt");
        TorchZipWriter.writeZip(file, p.bytes(), storages);

        try (TorchCheckpoint checkpoint = TorchCheckpoint.open(file)) {
            Map<Object, Object> data = checkpoint.data();
            assertThat(data.get("activation_func")).isEqualTo("relu");
            assertThat(data.get("activate_output")).isEqualTo(false);
            assertThat(data.get(64L)).isInstanceOf(List.class);
            List<?> pair = (List<?>) data.get(64L);
            assertThat(pair).hasSize(2);
            StoredTensor valuesWeight = (StoredTensor) ((Map<?, ?>) pair.get(1)).get("linear.0.weight");
            assertThat(valuesWeight.shape()).containsExactly(2, 2);
            assertThat(valuesWeight.toFloats()).containsExactly(1, 1, 2, 3);
            assertThat(valuesWeight.name()).isEqualTo("64.1.linear.0.weight");
            assertThat(((StoredTensor) ((Map<?, ?>) pair.get(0)).get("linear.0.bias")).toFloats()).containsExactly(10, 11);
        }
    }

    private static void tensor(PickleBytes p, Map<String, byte[]> storages, String name, float[] values, long... shape) {
        String key = String.valueOf(storages.size());
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        storages.put(key, bytes.array());
        p.string(name).global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().string("storage").global("torch", "FloatStorage").string(key).string("cpu")
                .integer(values.length).tuple().binPersId()
                .integer(0).ints(shape).ints(TorchZipWriter.contiguousStride(shape)).newFalse()
                .global("collections", "OrderedDict").emptyTuple().reduce()
                .tuple().reduce();
    }
}

package io.sdfleet.diffusion.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** torch's pre-1.6 stream format, written by hand: magic, protocol, sys_info, data pickle, keys, storages. */
class TorchLegacyFormatTest {

    /** 0x1950a86a20f9469cfc6c as pickle's LONG1: 10 little-endian bytes. */
    private static final byte[] MAGIC_PICKLE = {(byte) 0x80, 2, (byte) 0x8a, 10,
            0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, '.'};

    @Test
    void readsTensorsFromStorageViewsAndOffsets(@TempDir Path dir) throws Exception {
        // One float storage "100" of 6 elements; "a" is a view of its elements 2..5, "b" the whole storage at
        // offset 1. A legacy persistent id: ('storage', type, root key, location, numel, view metadata).
        byte[] data = new PickleBytes().proto().emptyDict().mark()
                .string("a").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().string("storage").global("torch", "FloatStorage").string("100").string("cpu").integer(6)
                .mark().string("100v").integer(2).integer(4).tuple().tuple().binPersId()
                .integer(1).ints(3).ints(1).newFalse().global("collections", "OrderedDict").emptyTuple().reduce()
                .tuple().reduce()
                .string("b").global("torch._utils", "_rebuild_tensor_v2").mark()
                .mark().string("storage").global("torch", "FloatStorage").string("100").string("cpu").integer(6)
                .none().tuple().binPersId()
                .integer(1).ints(5).ints(1).newFalse().global("collections", "OrderedDict").emptyTuple().reduce()
                .tuple().reduce()
                .setItems().stop().bytes();
        Path file = dir.resolve("legacy.pth");
        Files.write(file, legacyFile(data, new float[] {10, 11, 12, 13, 14, 15}));

        try (TensorSource source = CheckpointFiles.open(file)) {
            assertThat(source.keys()).containsExactly("a", "b");
            assertThat(source.get("a").toFloats()).containsExactly(13, 14, 15); // view start 2, tensor offset 1
            assertThat(source.get("b").toFloats()).containsExactly(11, 12, 13, 14, 15);
        }
    }

    @Test
    void refusesForbiddenGlobalsInTheLegacyFormatToo(@TempDir Path dir) throws Exception {
        byte[] data = new PickleBytes().proto().global("builtins", "exec").string("import os").opByte(0x85).reduce()
                .stop().bytes();
        Path file = dir.resolve("evil.pt");
        Files.write(file, legacyFile(data, new float[0]));
        assertThatThrownBy(() -> CheckpointFiles.open(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("builtins.exec");
    }

    private static byte[] legacyFile(byte[] dataPickle, float[] storage) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC_PICKLE);
        out.writeBytes(new PickleBytes().proto().integer(1001).stop().bytes());
        out.writeBytes(new PickleBytes().proto().emptyDict().stop().bytes()); // sys_info (contents unused)
        out.writeBytes(dataPickle);
        boolean hasStorage = storage.length > 0;
        PickleBytes keys = new PickleBytes().proto().op(']');
        if (hasStorage) {
            keys.mark().string("100").op('e');
        }
        out.writeBytes(keys.stop().bytes());
        if (hasStorage) {
            ByteBuffer b = ByteBuffer.allocate(8 + storage.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(storage.length);
            for (float v : storage) {
                b.putFloat(v);
            }
            out.writeBytes(b.array());
        }
        return out.toByteArray();
    }
}

package io.sdfleet.diffusion.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test-side imitation of {@code torch.save(obj, "name.ckpt")} (zip format): entries STORED under a folder named
 * after the file, {@code data.pkl} rebuilding each tensor with {@code torch._utils._rebuild_tensor_v2} from a
 * persistent id {@code ('storage', torch.XStorage, key, 'cpu', numel)}, and one {@code data/<key>} per storage.
 */
final class TorchZipWriter {

    /** A tensor view of a storage, as _rebuild_tensor_v2 takes it. */
    record View(String storageKey, long offset, long[] shape, long[] stride) {
    }

    private record Storage(String torchType, int elementBytes, byte[] bytes) {
    }

    private final Map<String, Storage> storages = new LinkedHashMap<>();
    private final Map<String, View> tensors = new LinkedHashMap<>();
    private Long globalStep;

    static String torchStorageName(StoredType type) {
        return switch (type) {
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case F64 -> "DoubleStorage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            case I16 -> "ShortStorage";
            case I8 -> "CharStorage";
            case U8 -> "ByteStorage";
            case BOOL -> "BoolStorage";
        };
    }

    TorchZipWriter storage(String key, StoredType type, byte[] bytes) {
        storages.put(key, new Storage(torchStorageName(type), type.bytes(), bytes));
        return this;
    }

    TorchZipWriter view(String name, View view) {
        tensors.put(name, view);
        return this;
    }

    /** A tensor in a storage of its own, contiguous, as torch.save writes a freshly made tensor. */
    TorchZipWriter tensor(StoredTensor t) {
        String key = String.valueOf(storages.size());
        byte[] bytes = new byte[t.data().remaining()];
        t.data().duplicate().get(bytes);
        storage(key, t.type(), bytes);
        return view(t.name(), new View(key, 0, t.shape(), contiguousStride(t.shape())));
    }

    TorchZipWriter globalStep(long step) {
        globalStep = step;
        return this;
    }

    static long[] contiguousStride(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = s;
            s *= shape[d];
        }
        return stride;
    }

    /** {"state_dict": {name: tensor, ...}, "global_step": n} as protocol-2 opcodes. */
    byte[] pickle() {
        PickleBytes p = new PickleBytes().proto().emptyDict().mark().string("state_dict").emptyDict().mark();
        for (Map.Entry<String, View> e : tensors.entrySet()) {
            View v = e.getValue();
            Storage s = storages.get(v.storageKey());
            p.string(e.getKey()).global("torch._utils", "_rebuild_tensor_v2").mark()
                    .mark().string("storage").global("torch", s.torchType()).string(v.storageKey()).string("cpu")
                    .integer(s.bytes().length / s.elementBytes()).tuple().binPersId()
                    .integer(v.offset()).ints(v.shape()).ints(v.stride()).newFalse()
                    .global("collections", "OrderedDict").emptyTuple().reduce()
                    .tuple().reduce();
        }
        p.setItems();
        if (globalStep != null) {
            p.string("global_step").integer(globalStep);
        }
        return p.setItems().stop().bytes();
    }

    void write(Path file) {
        writeZip(file, pickle(), storages.entrySet().stream()
                .collect(LinkedHashMap::new, (m, e) -> m.put(e.getKey(), e.getValue().bytes()), Map::putAll));
    }

    /** The zip container alone, for hand-made pickles. */
    static void writeZip(Path file, byte[] pickle, Map<String, byte[]> storageBytes) {
        String name = file.getFileName().toString();
        String folder = (name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name) + "/";
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            put(zip, folder + "data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storageBytes.entrySet()) {
                put(zip, folder + "data/" + e.getKey(), e.getValue());
            }
            put(zip, folder + "version", "3\n".getBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED); // torch stores, never deflates
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(ByteBuffer.wrap(bytes));
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }
}

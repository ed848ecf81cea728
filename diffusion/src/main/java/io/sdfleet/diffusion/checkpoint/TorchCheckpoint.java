package io.sdfleet.diffusion.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.zip.ZipFile;

/**
 * A checkpoint written by {@code torch.save}: either the zip format (torch 1.6+: {@code <folder>/data.pkl},
 * {@code <folder>/data/<key>}, {@code <folder>/version}) or the older legacy stream (magic number, protocol
 * version and system-info pickles, the data pickle, the storage keys, then each storage's raw bytes preceded by
 * its element count). The pickle goes through {@link RestrictedUnpickler}, so only tensors are rebuilt.
 *
 * <p>The tensors are those of the {@code state_dict} entry when there is one, else of the top-level dict. Their
 * bytes stay in the file: every storage is memory-mapped (zip entries are stored uncompressed), and a tensor is a
 * slice of its storage.
 */
public final class TorchCheckpoint implements TensorSource {

    /** The first pickle of a legacy file holds this number. */
    private static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private final Path path;
    private final Map<String, TorchTensorRef> tensors;
    private final Map<String, ByteBuffer> storages;
    private final Map<String, Object> topLevel;
    private final Map<?, ?> root;

    private TorchCheckpoint(Path path, Map<String, TorchTensorRef> tensors, Map<String, ByteBuffer> storages,
                            Map<String, Object> topLevel, Map<?, ?> root) {
        this.path = path;
        this.tensors = tensors;
        this.storages = storages;
        this.topLevel = topLevel;
        this.root = root;
    }

    /** Opens a torch.save file in either format, telling them apart by their first bytes. */
    public static TorchCheckpoint open(Path path) {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer head = ZipDirectory.readAt(channel, 0, (int) Math.min(4, channel.size()));
            if (head.remaining() == 4 && head.getInt(0) == 0x04034b50) {
                return openZip(path, channel);
            }
            if (head.remaining() >= 3 && (head.get(0) & 0xFF) == 0x80 && (head.get(2) & 0xFF) == 0x8a) {
                return openLegacy(path, channel);
            }
            throw new CheckpointException(path + " is neither a torch zip checkpoint nor a legacy torch pickle");
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static TorchCheckpoint openZip(Path path, FileChannel channel) throws IOException {
        String source = path.getFileName().toString();
        Map<String, ZipDirectory.Entry> entries = ZipDirectory.read(channel, source);
        // The folder is named after the file when saved (not always "archive/"): find it through data.pkl.
        String folder = entries.keySet().stream()
                .filter(name -> name.endsWith("data.pkl") && name.indexOf('/') == name.lastIndexOf('/'))
                .map(name -> name.substring(0, name.length() - "data.pkl".length()))
                .findFirst()
                .orElseThrow(() -> new CheckpointException(source + " is a zip file without a torch data.pkl"));
        ByteBuffer pickle = entryBytes(path, channel, entries.get(folder + "data.pkl"), source);
        Map<String, TorchStorage> referenced = new LinkedHashMap<>();
        Object root = RestrictedUnpickler.load(pickle, pid -> storageFromPid(pid, referenced, source), source);

        Map<String, ByteBuffer> storages = new HashMap<>();
        for (TorchStorage storage : referenced.values()) {
            ZipDirectory.Entry entry = entries.get(folder + "data/" + storage.key());
            if (entry == null) {
                throw new CheckpointException(source + " has no entry " + folder + "data/" + storage.key());
            }
            storages.put(storage.key(), entryBytes(path, channel, entry, source));
        }
        return build(path, root, storages);
    }

    private static TorchCheckpoint openLegacy(Path path, FileChannel channel) throws IOException {
        String source = path.getFileName().toString();
        // The pickles come first; map (at most 2 GB of) the file's start to parse them.
        MappedByteBuffer head = channel.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(channel.size(), Integer.MAX_VALUE));
        head.order(ByteOrder.LITTLE_ENDIAN);
        Function<PickleTuple, Object> noStorages = pid -> {
            throw new CheckpointException(source + ": unexpected persistent id in the header");
        };
        Object magic = RestrictedUnpickler.load(head, noStorages, source);
        if (!LEGACY_MAGIC.equals(magic)) {
            throw new CheckpointException(source + " does not start with torch's legacy magic number");
        }
        Object protocol = RestrictedUnpickler.load(head, noStorages, source);
        if (!Long.valueOf(1001).equals(protocol)) {
            throw new CheckpointException(source + ": unsupported legacy protocol version " + protocol);
        }
        RestrictedUnpickler.load(head, noStorages, source); // sys_info: endianness and type sizes
        Map<String, TorchStorage> referenced = new LinkedHashMap<>();
        Object root = RestrictedUnpickler.load(head, pid -> storageFromPid(pid, referenced, source), source);
        Object keys = RestrictedUnpickler.load(head, noStorages, source);
        if (!(keys instanceof List<?> keyList)) {
            throw new CheckpointException(source + ": expected the list of storage keys, got " + keys);
        }
        long position = head.position();
        Map<String, ByteBuffer> storages = new HashMap<>();
        for (Object key : keyList) {
            TorchStorage storage = referenced.get(String.valueOf(key));
            if (storage == null) {
                throw new CheckpointException(source + ": storage " + key + " is listed but never used");
            }
            long count = ZipDirectory.readAt(channel, position, 8).getLong(0);
            long length = count * storage.type().bytes();
            if (count < 0 || position + 8 + length > channel.size()) {
                throw new CheckpointException(source + ": storage " + key + " of " + count + " elements runs past the end");
            }
            storages.put(storage.key(), mapRegion(channel, position + 8, length, source));
            position += 8 + length;
        }
        return build(path, root, storages);
    }

    /**
     * Torch's persistent id: {@code ('storage', StorageType, key, location, numel)} in the zip format, with a
     * sixth element {@code view_metadata} (None, or (view key, offset, size)) in the legacy format.
     */
    private static Object storageFromPid(PickleTuple pid, Map<String, TorchStorage> referenced, String source) {
        if (pid.size() < 5 || !"storage".equals(pid.get(0)) || !(pid.get(1) instanceof PickleGlobal type)) {
            throw new CheckpointException(source + ": unsupported persistent id " + pid.items());
        }
        StoredType storedType = TorchGlobals.STORAGE_TYPES.get(type.qualifiedName());
        if (storedType == null) {
            throw new CheckpointException(source + ": " + type + " is not a storage type");
        }
        String key = String.valueOf(pid.get(2));
        long count = TorchGlobals.asLong(pid.get(4), source);
        TorchStorage root = referenced.computeIfAbsent(key, k -> new TorchStorage(k, storedType, count, 0));
        if (pid.size() > 5 && pid.get(5) instanceof PickleTuple view) {
            long offset = TorchGlobals.asLong(view.get(1), source);
            long size = TorchGlobals.asLong(view.get(2), source);
            return new TorchStorage(root.key(), storedType, size, offset);
        }
        return root;
    }

    private static TorchCheckpoint build(Path path, Object root, Map<String, ByteBuffer> storages) {
        String source = path.getFileName().toString();
        if (!(root instanceof Map<?, ?> top)) {
            throw new CheckpointException(source + " holds a " + describe(root) + ", not a dict of tensors");
        }
        Map<?, ?> stateDict = top.get("state_dict") instanceof Map<?, ?> inner ? inner : top;
        Map<String, TorchTensorRef> tensors = new LinkedHashMap<>();
        stateDict.forEach((key, value) -> {
            if (key instanceof String name && value instanceof TorchTensorRef tensor) {
                tensors.put(name, tensor);
            }
        });
        Map<String, Object> topLevel = new LinkedHashMap<>();
        top.forEach((key, value) -> {
            if (key instanceof String name && value != stateDict && !(value instanceof TorchTensorRef)) {
                topLevel.put(name, value);
            }
        });
        return new TorchCheckpoint(path, Collections.unmodifiableMap(tensors), storages,
                Collections.unmodifiableMap(topLevel), top);
    }

    public Path path() {
        return path;
    }

    /** {@code global_step} from the checkpoint's top level, when present (a plain int in SD checkpoints). */
    public OptionalLong globalStep() {
        return topLevel.get("global_step") instanceof Long step ? OptionalLong.of(step) : OptionalLong.empty();
    }

    /** Top-level entries that are neither the state dict nor tensors (global_step, epoch, ...), as parsed data. */
    public Map<String, Object> topLevel() {
        return topLevel;
    }

    @Override
    public Set<String> keys() {
        return tensors.keySet();
    }

    @Override
    public StoredTensor get(String key) {
        TorchTensorRef ref = tensors.get(key);
        if (ref == null) {
            throw new CheckpointException(path.getFileName() + " has no tensor " + key);
        }
        return stored(key, ref);
    }

    /**
     * The tensors of a dict stored under a top-level entry, by their key in that dict (A1111 embeddings keep their
     * vectors in {@code string_to_param: {'*': tensor}}); empty when the entry is absent or not such a dict.
     */
    public Map<String, StoredTensor> tensorsUnder(String entry) {
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        if (topLevel.get(entry) instanceof Map<?, ?> inner) {
            inner.forEach((key, value) -> {
                if (value instanceof TorchTensorRef ref) {
                    out.put(String.valueOf(key), stored(entry + "." + key, ref));
                }
            });
        }
        return out;
    }

    /**
     * The whole saved object as plain data, for files that are not a flat dict of tensors (an A1111 hypernetwork
     * keys its layers by int width): dicts stay maps (any key type), tuples and lists become lists, tensors
     * {@link StoredTensor}s named by their path; strings, numbers, booleans and None are as unpickled.
     */
    public Map<Object, Object> data() {
        @SuppressWarnings("unchecked")
        Map<Object, Object> out = (Map<Object, Object>) resolve(root, "");
        return out;
    }

    private Object resolve(Object value, String at) {
        if (value instanceof TorchTensorRef ref) {
            return stored(at, ref);
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(k, resolve(v, at.isEmpty() ? String.valueOf(k) : at + "." + k)));
            return Collections.unmodifiableMap(out);
        }
        List<?> items = value instanceof PickleTuple t ? t.items() : value instanceof List<?> l ? l : null;
        if (items != null) {
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                out.add(resolve(items.get(i), at + "." + i));
            }
            return Collections.unmodifiableList(out);
        }
        return value;
    }

    private StoredTensor stored(String key, TorchTensorRef ref) {
        if (!ref.isContiguous()) {
            throw new CheckpointException(path.getFileName() + ": tensor " + key + " is not contiguous ("
                    + ref.describe() + "); save it after .contiguous()");
        }
        TorchStorage storage = ref.storage();
        int width = storage.type().bytes();
        long first = storage.elementOffset() + ref.storageOffset();
        long count = ref.elementCount();
        ByteBuffer bytes = storages.get(storage.key());
        if (ref.storageOffset() + count > storage.elementCount() || (first + count) * width > bytes.capacity()) {
            throw new CheckpointException(path.getFileName() + ": tensor " + key + " (" + ref.describe()
                    + ") reaches past its storage of " + storage.elementCount() + " elements");
        }
        ByteBuffer slice = bytes.slice(Math.toIntExact(first * width), Math.toIntExact(count * width));
        return new StoredTensor(key, storage.type(), ref.shape().clone(), slice);
    }

    /** An entry's bytes: mapped from the file when STORED, inflated into the heap otherwise (torch never does). */
    private static ByteBuffer entryBytes(Path path, FileChannel channel, ZipDirectory.Entry entry, String source)
            throws IOException {
        if (entry.method() == ZipDirectory.STORED) {
            return mapRegion(channel, ZipDirectory.dataOffset(channel, entry, source), entry.size(), source);
        }
        try (ZipFile zip = new ZipFile(path.toFile()); InputStream in = zip.getInputStream(zip.getEntry(entry.name()))) {
            return ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    private static ByteBuffer mapRegion(FileChannel channel, long offset, long length, String source) throws IOException {
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(source + ": a single storage of " + length + " bytes is above 2 GB");
        }
        return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String describe(Object value) {
        return value == null ? "None" : value.getClass().getSimpleName();
    }
}

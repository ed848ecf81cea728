package io.sdfleet.diffusion.checkpoint;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The allow-list of the restricted unpickler, and the interpretation of the few allowed callables. Nothing here
 * runs Python: torch's tensor rebuilders become {@link TorchTensorRef}s, OrderedDict an empty map, and the inert
 * types (numpy scalars, Lightning callbacks found in training checkpoints) plain {@link PickledObject} data.
 */
final class TorchGlobals {

    static final Map<String, StoredType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("torch.DoubleStorage", StoredType.F64),
            Map.entry("torch.FloatStorage", StoredType.F32),
            Map.entry("torch.HalfStorage", StoredType.F16),
            Map.entry("torch.BFloat16Storage", StoredType.BF16),
            Map.entry("torch.LongStorage", StoredType.I64),
            Map.entry("torch.IntStorage", StoredType.I32),
            Map.entry("torch.ShortStorage", StoredType.I16),
            Map.entry("torch.CharStorage", StoredType.I8),
            Map.entry("torch.ByteStorage", StoredType.U8),
            Map.entry("torch.BoolStorage", StoredType.BOOL));

    private static final Set<String> TENSOR_REBUILDERS = Set.of(
            "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor", "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state");

    private static final Set<String> CONTAINERS = Set.of("collections.OrderedDict", "torch.Size");

    /** Types that only carry training metadata; their construction is recorded, never performed. */
    private static final Set<String> INERT = Set.of(
            "numpy.core.multiarray.scalar", "numpy.core.multiarray._reconstruct", "numpy.dtype", "numpy.ndarray",
            "_codecs.encode",
            "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
            "pytorch_lightning.callbacks.ModelCheckpoint");

    private TorchGlobals() {
    }

    /** Resolves a GLOBAL opcode, refusing anything outside the allow-list by name. */
    static PickleGlobal resolve(String module, String name, String source) {
        PickleGlobal global = new PickleGlobal(module, name);
        String q = global.qualifiedName();
        if (STORAGE_TYPES.containsKey(q) || TENSOR_REBUILDERS.contains(q) || CONTAINERS.contains(q) || INERT.contains(q)) {
            return global;
        }
        throw new CheckpointException(source + " refers to the Python global '" + q + "', which is not allowed:"
                + " only tensor-rebuilding globals are accepted (torch._utils._rebuild_tensor_v2, torch.*Storage,"
                + " collections.OrderedDict, ...); nothing was executed");
    }

    static boolean isInert(PickleGlobal global) {
        return INERT.contains(global.qualifiedName());
    }

    /** The effect of REDUCE: calls an allowed callable on its argument tuple, without running Python. */
    static Object call(PickleGlobal callable, PickleTuple args, String source) {
        switch (callable.qualifiedName()) {
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (!(args.get(0) instanceof TorchStorage storage)) {
                    throw new CheckpointException(source + ": " + callable + " expects a storage, got " + args.get(0));
                }
                return new TorchTensorRef(storage, asLong(args.get(1), source), longs(args.get(2), source),
                        longs(args.get(3), source));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                return args.get(0); // a Parameter is its data tensor; requires_grad does not matter here
            }
            case "collections.OrderedDict" -> {
                return new LinkedHashMap<Object, Object>();
            }
            case "torch.Size" -> {
                return args.size() == 0 ? new PickleTuple(List.of()) : args.get(0);
            }
            default -> {
                if (isInert(callable)) {
                    return new PickledObject(callable, args.items(), null);
                }
                throw new CheckpointException(source + ": " + callable + " cannot be called while unpickling");
            }
        }
    }

    static long asLong(Object value, String source) {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof BigInteger b) {
            return b.longValueExact();
        }
        throw new CheckpointException(source + ": expected an integer, got " + value);
    }

    static long[] longs(Object tuple, String source) {
        if (!(tuple instanceof PickleTuple t)) {
            throw new CheckpointException(source + ": expected a tuple of integers, got " + tuple);
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = asLong(t.get(i), source);
        }
        return out;
    }
}

package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.TensorSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A view of a checkpoint's tensors under a key prefix, turning them into NDArrays on demand.
 *
 * <p>Model components read their parameters through {@link #take}, which records the key as consumed; after
 * loading, {@link #unconsumed()} names every key nobody read, so that a checkpoint that does not match the
 * architecture is reported by name instead of silently producing noise. Float tensors arrive in
 * {@link #floatType()} (fp32 by default); bf16 is widened in Java because DJL's PyTorch engine aborts on it.
 */
public final class Weights {

    private final TensorSource source;
    private final String prefix;
    private final NDManager manager;
    private final DataType floatType;
    private final Set<String> consumed;
    private final Map<String, NDArray> loaded;
    private final Map<String, Parameter> parameters;

    private Weights(TensorSource source, String prefix, NDManager manager, DataType floatType, Set<String> consumed,
                    Map<String, NDArray> loaded, Map<String, Parameter> parameters) {
        this.source = source;
        this.prefix = prefix;
        this.manager = manager;
        this.floatType = floatType;
        this.consumed = consumed;
        this.loaded = loaded;
        this.parameters = parameters;
    }

    /** Root view; arrays are created in {@code manager} (its device decides where weights live). */
    public static Weights of(TensorSource source, NDManager manager, DataType floatType) {
        if (floatType != DataType.FLOAT32 && floatType != DataType.FLOAT16) {
            throw new IllegalArgumentException("weights must be FLOAT32 or FLOAT16, not " + floatType);
        }
        return new Weights(source, "", manager, floatType, ConcurrentHashMap.newKeySet(), new ConcurrentHashMap<>(),
                new ConcurrentHashMap<>());
    }

    /** A view whose keys are relative to {@code childPrefix} (a trailing dot is added when missing). */
    public Weights at(String childPrefix) {
        String p = childPrefix.isEmpty() || childPrefix.endsWith(".") ? childPrefix : childPrefix + ".";
        return new Weights(source, prefix + p, manager, floatType, consumed, loaded, parameters);
    }

    public String prefix() {
        return prefix;
    }

    public NDManager manager() {
        return manager;
    }

    public DataType floatType() {
        return floatType;
    }

    public boolean has(String key) {
        return source.contains(prefix + key);
    }

    /** The stored shape, without loading the data: used to read widths and depths off a checkpoint. */
    public long[] shape(String key) {
        return source.get(prefix + key).shape();
    }

    /** Loads {@code key} as an NDArray and marks it consumed. */
    public NDArray take(String key) {
        String full = prefix + key;
        StoredTensor stored = source.get(full);
        consumed.add(full);
        NDArray array = toNDArray(stored, manager, floatType);
        array.setName(full);
        loaded.put(full, array);
        return array;
    }

    /**
     * Every array handed out by {@link #take} in this tree of views, by full checkpoint key: the very arrays the
     * model computes with, so that extra networks (LoRA) can patch a loaded parameter in place.
     */
    public Map<String, NDArray> loaded() {
        return Collections.unmodifiableMap(loaded);
    }

    /**
     * Loads {@code key} as a layer {@link Parameter} (a weight that can be offloaded and placed), recorded under its
     * full key so that the parameters of a component or block can be found by prefix ({@link #parameters()}).
     */
    public Parameter parameter(String key) {
        NDArray array = take(key);
        Parameter parameter = new Parameter(array.getName(), array);
        parameters.put(array.getName(), parameter);
        return parameter;
    }

    /** Every parameter loaded through any view of this checkpoint, by full key. */
    public Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Marks a key as deliberately unused (e.g. buffers the engine recomputes). */
    public void skip(String key) {
        if (has(key)) {
            consumed.add(prefix + key);
        }
    }

    /** Keys under this view's prefix, relative to it. */
    public Set<String> keys() {
        Set<String> out = new TreeSet<>();
        for (String k : source.keys()) {
            if (k.startsWith(prefix)) {
                out.add(k.substring(prefix.length()));
            }
        }
        return out;
    }

    /** Keys under this view's prefix that no component has taken or skipped. */
    public Set<String> unconsumed() {
        Set<String> out = new TreeSet<>();
        for (String k : source.keys()) {
            if (k.startsWith(prefix) && !consumed.contains(k)) {
                out.add(k);
            }
        }
        return out;
    }

    /** Converts one stored tensor to an NDArray; float types become {@code floatType}. */
    public static NDArray toNDArray(StoredTensor stored, NDManager manager, DataType floatType) {
        Shape shape = new Shape(stored.shape());
        ByteBuffer data = direct(stored.data());
        NDArray array = switch (stored.type()) {
            case F32 -> manager.create(data, shape, DataType.FLOAT32);
            case F16 -> manager.create(data, shape, DataType.FLOAT16);
            case F64 -> manager.create(data, shape, DataType.FLOAT64);
            case BF16 -> manager.create(widenBf16(data, stored.elementCount()), shape, DataType.FLOAT32);
            case I64 -> manager.create(data, shape, DataType.INT64);
            case I32 -> manager.create(data, shape, DataType.INT32);
            case I8 -> manager.create(data, shape, DataType.INT8);
            case U8 -> manager.create(data, shape, DataType.UINT8);
            case BOOL -> manager.create(data, shape, DataType.BOOLEAN);
            case I16 -> throw new CheckpointException("tensor " + stored.name() + " is int16, which the engine cannot hold");
        };
        if (stored.type().isFloating() && array.getDataType() != floatType) {
            NDArray converted = array.toType(floatType, false);
            array.close();
            return converted;
        }
        return array;
    }

    private static ByteBuffer direct(ByteBuffer data) {
        ByteBuffer src = data.duplicate();
        if (src.isDirect()) {
            return src.order(ByteOrder.nativeOrder());
        }
        ByteBuffer copy = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
        copy.put(src).flip();
        return copy;
    }

    /** bf16 is the top half of an fp32, so shifting it left by 16 bits widens it exactly. */
    private static ByteBuffer widenBf16(ByteBuffer bf16, long count) {
        int n = Math.toIntExact(count);
        ByteBuffer src = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            out.putInt(i * 4, (src.getShort(i * 2) & 0xFFFF) << 16);
        }
        return out;
    }
}

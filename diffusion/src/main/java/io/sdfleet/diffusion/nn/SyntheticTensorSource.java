package io.sdfleet.diffusion.nn;

import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.checkpoint.TensorSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A checkpoint that exists only as names and shapes: tensors are synthesised on demand, so a full-size model
 * (SD 1.5's 860M-parameter UNet) can be built for benchmarks without a file.
 *
 * <p>Values follow torch's default init closely enough to keep activations finite: norm weights 1, biases 0,
 * other weights uniform in ±1/√fan_in, integer tensors (position ids) 0, 1, 2…. To cost no memory per tensor,
 * every tensor is a prefix of one shared, direct buffer per (fill, fan_in), so tensors with the same fan-in
 * start with the same numbers: fine for timing and memory, meaningless as a model.
 */
public final class SyntheticTensorSource implements TensorSource {

    /** Shape and stored type of one tensor (type null: the source's float type). */
    public record TensorSpec(long[] shape, StoredType type) {

        public static TensorSpec of(long... shape) {
            return new TensorSpec(shape, null);
        }
    }

    private final Map<String, TensorSpec> specs;
    private final StoredType floatType;
    private final long seed;
    private final Map<String, ByteBuffer> shared = new HashMap<>();

    /** @param floatType F32 or F16: how float tensors are "stored" */
    public SyntheticTensorSource(Map<String, TensorSpec> specs, StoredType floatType, long seed) {
        if (floatType != StoredType.F32 && floatType != StoredType.F16) {
            throw new IllegalArgumentException("synthetic weights are F32 or F16, not " + floatType);
        }
        this.specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
        this.floatType = floatType;
        this.seed = seed;
    }

    @Override
    public Set<String> keys() {
        return specs.keySet();
    }

    @Override
    public boolean contains(String key) {
        return specs.containsKey(key);
    }

    @Override
    public synchronized StoredTensor get(String key) {
        TensorSpec spec = specs.get(key);
        if (spec == null) {
            throw new CheckpointException("no tensor named " + key);
        }
        long[] shape = spec.shape();
        StoredType type = spec.type() == null ? floatType : spec.type();
        long count = StoredTensor.elementCount(shape);
        ByteBuffer data;
        if (type == StoredType.I64) {
            data = positions(shape, count);
        } else if (type == floatType) {
            data = buffer(fill(key), fanIn(shape), count).slice(0, Math.toIntExact(count * type.bytes()));
        } else {
            throw new CheckpointException("synthetic tensor " + key + " cannot be " + type);
        }
        return new StoredTensor(key, type, shape, data);
    }

    private enum Fill { ONES, ZEROS, UNIFORM }

    private static Fill fill(String key) {
        if (key.endsWith(".bias")) {
            return Fill.ZEROS;
        }
        String module = key.substring(0, Math.max(0, key.lastIndexOf('.')));
        String last = module.substring(module.lastIndexOf('.') + 1);
        boolean norm = last.contains("norm") || last.startsWith("ln") || module.endsWith("in_layers.0")
                || module.endsWith("out_layers.0") || module.endsWith(".out.0");
        return norm && key.endsWith(".weight") ? Fill.ONES : Fill.UNIFORM;
    }

    private static long fanIn(long[] shape) {
        if (shape.length < 2) {
            return Math.max(1, shape.length == 0 ? 1 : shape[0]);
        }
        long fan = 1;
        for (int i = 1; i < shape.length; i++) {
            fan *= shape[i];
        }
        return fan;
    }

    /** The shared buffer for (fill, fan_in), regrown (same seed, same prefix) when a larger tensor asks. */
    private ByteBuffer buffer(Fill fill, long fanIn, long count) {
        String id = fill == Fill.UNIFORM ? "u" + fanIn : fill.name();
        ByteBuffer existing = shared.get(id);
        int bytes = floatType.bytes();
        if (existing != null && existing.capacity() >= count * bytes) {
            return existing.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }
        int n = Math.toIntExact(count);
        ByteBuffer out = ByteBuffer.allocateDirect(n * bytes).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom random = new SplittableRandom(seed * 31 + id.hashCode());
        double bound = 1 / Math.sqrt(fanIn);
        for (int i = 0; i < n; i++) {
            float v = switch (fill) {
                case ONES -> 1f;
                case ZEROS -> 0f;
                case UNIFORM -> (float) ((random.nextDouble() * 2 - 1) * bound);
            };
            if (bytes == 2) {
                out.putShort(i * 2, Float.floatToFloat16(v));
            } else {
                out.putFloat(i * 4, v);
            }
        }
        shared.put(id, out);
        return out.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Integer tensors in SD checkpoints are position ids: 0, 1, 2… along the last axis. */
    private static ByteBuffer positions(long[] shape, long count) {
        long last = shape.length == 0 ? 1 : shape[shape.length - 1];
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * 8)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < count; i++) {
            out.putLong(Math.toIntExact(i * 8), i % last);
        }
        return out;
    }
}

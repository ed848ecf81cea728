package io.sdfleet.diffusion.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One tensor as stored in a file: its type, shape and raw little-endian bytes, contiguous in row-major order.
 * The bytes are usually a slice of a memory-mapped file, so holding a StoredTensor costs no heap.
 */
public record StoredTensor(String name, StoredType type, long[] shape, ByteBuffer data) {

    public StoredTensor {
        long expected = elementCount(shape) * type.bytes();
        if (data.remaining() != expected) {
            throw new CheckpointException("tensor " + name + " " + Arrays.toString(shape) + " " + type
                    + " needs " + expected + " bytes but the file holds " + data.remaining());
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public long elementCount() {
        return elementCount(shape);
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** Reads every element as float (widening fp16/bf16 exactly); for tests and small tensors. */
    public float[] toFloats() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case F32 -> b.getFloat(i * 4);
                case F64 -> (float) b.getDouble(i * 8);
                case F16 -> Float.float16ToFloat(b.getShort(i * 2));
                case BF16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8 -> b.get(i) & 0xFF;
                case BOOL -> b.get(i) != 0 ? 1f : 0f;
            };
        }
        return out;
    }

    /** Reads every element as long; for integer tensors such as token ids. */
    public long[] toLongs() {
        int n = Math.toIntExact(elementCount());
        long[] out = new long[n];
        ByteBuffer b = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case I64 -> b.getLong(i * 8);
                case I32 -> b.getInt(i * 4);
                case I16 -> b.getShort(i * 2);
                case I8 -> b.get(i);
                case U8, BOOL -> b.get(i) & 0xFF;
                default -> throw new CheckpointException("tensor " + name + " is " + type + ", not an integer type");
            };
        }
        return out;
    }
}

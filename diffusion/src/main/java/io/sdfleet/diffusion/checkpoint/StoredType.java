package io.sdfleet.diffusion.checkpoint;

/** Element types a checkpoint may store, with their width in bytes. */
public enum StoredType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    StoredType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** Parses a safetensors dtype name ("F32", "BF16", "I64", ...). */
    public static StoredType fromSafetensors(String name) {
        try {
            return StoredType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("unsupported tensor dtype " + name);
        }
    }
}

package io.sdfleet.diffusion.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;
import io.sdfleet.diffusion.checkpoint.StoredType;
import io.sdfleet.diffusion.checkpoint.TensorSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The restore reference's weights, rebuilt from its manifest (README "Weights: a generator, not files"): every
 * tensor of a released file, by key and shape, filled by splitmix64 seeded from sha256(model id / key). Tensors are
 * generated when asked for, so a loader reads them as it would a checkpoint file.
 */
public final class SeededWeights implements TensorSource {

    private final String modelId;
    private final Map<String, JsonNode> entries = new LinkedHashMap<>();

    private SeededWeights(String modelId, JsonNode manifest) {
        this.modelId = modelId;
        for (JsonNode entry : manifest.get("tensors")) {
            entries.put(entry.get("key").asText(), entry);
        }
    }

    /** The model {@code modelId} of {@code restore/manifests/}. */
    public static SeededWeights of(String modelId) {
        return new SeededWeights(modelId, Reference.json("restore/manifests/" + modelId + ".json"));
    }

    @Override
    public Set<String> keys() {
        return entries.keySet();
    }

    @Override
    public StoredTensor get(String key) {
        JsonNode entry = entries.get(key);
        if (entry == null) {
            throw new CheckpointException("no tensor " + key + " in manifest " + modelId);
        }
        long[] shape = new long[entry.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = entry.get("shape").get(i).asLong();
        }
        int n = Math.toIntExact(StoredTensor.elementCount(shape));
        if (entry.has("override")) {
            try (SafetensorsFile overrides = Reference.tensors("restore/models/" + entry.get("override").asText())) {
                StoredTensor t = overrides.get(key);
                ByteBuffer copy = ByteBuffer.allocate(t.data().remaining()).order(ByteOrder.LITTLE_ENDIAN);
                copy.put(t.data().duplicate()).flip();
                return new StoredTensor(key, t.type(), t.shape(), copy);
            }
        }
        if (entry.has("const")) {
            ByteBuffer data = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                data.putLong(entry.get("const").asLong());
            }
            return new StoredTensor(key, StoredType.I64, shape, data.flip());
        }
        float scale = Float.intBitsToFloat(Integer.parseUnsignedInt(entry.get("scale_f32_hex").asText(), 16));
        float offset = Float.intBitsToFloat(Integer.parseUnsignedInt(entry.get("offset_f32_hex").asText(), 16));
        float[] values = values(modelId + "/" + key, n, scale, offset);
        ByteBuffer data = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return new StoredTensor(key, StoredType.F32, shape, data);
    }

    /** Elements 0..n-1 of the tensor tagged {@code tag}, exactly as the reference generator makes them. */
    public static float[] values(String tag, int n, float scale, float offset) {
        long seed = seedOf(tag);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z ^= z >>> 31;
            float v = (float) ((int) (z >>> 40) - 8388608) * 0x1p-23f;
            float w = v * scale;
            out[i] = offset != 0 ? w + offset : w;
        }
        return out;
    }

    private static long seedOf(String tag) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(tag.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

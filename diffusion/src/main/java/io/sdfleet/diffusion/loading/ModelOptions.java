package io.sdfleet.diffusion.loading;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.offload.MemoryMode;
import io.sdfleet.diffusion.vae.VaeTiling;

import java.nio.file.Path;

/**
 * How to load a model: where (CPU or a GPU), in what precision, which tokenizer files (null: the model's own
 * {@code tokenizer/} folder), and how to save memory: at most how many query rows an attention chunk holds
 * (0 = no chunking) or, when {@code attentionBudgetBytes} &gt; 0, chunks sized to that many bytes of scores
 * instead; where weights rest ({@link MemoryMode}); and whether large images go through the VAE in tiles (null:
 * never).
 */
public record ModelOptions(Device device, DataType precision, Path tokenizer, int attentionQueryRows,
                           long attentionBudgetBytes, MemoryMode memoryMode, VaeTiling vaeTiling) {

    public ModelOptions {
        if (memoryMode == null) {
            throw new IllegalArgumentException("memoryMode is required (PLAIN for none)");
        }
    }

    public static ModelOptions cpu(Path tokenizer) {
        return new ModelOptions(Device.cpu(), DataType.FLOAT32, tokenizer, Attention.DEFAULT_MAX_QUERY_ROWS, 0,
                MemoryMode.PLAIN, null);
    }

    public ModelOptions withDevice(Device newDevice, DataType newPrecision) {
        return new ModelOptions(newDevice, newPrecision, tokenizer, attentionQueryRows, attentionBudgetBytes,
                memoryMode, vaeTiling);
    }

    public ModelOptions withMemoryMode(MemoryMode mode) {
        return new ModelOptions(device, precision, tokenizer, attentionQueryRows, attentionBudgetBytes, mode,
                vaeTiling);
    }

    /** @param bytes score-memory budget per attention chunk; 0 goes back to {@link #attentionQueryRows()} */
    public ModelOptions withAttentionBudget(long bytes) {
        return new ModelOptions(device, precision, tokenizer, attentionQueryRows, bytes, memoryMode, vaeTiling);
    }

    /** @param tiling tiled VAE for latents larger than a tile, or null for never */
    public ModelOptions withVaeTiling(VaeTiling tiling) {
        return new ModelOptions(device, precision, tokenizer, attentionQueryRows, attentionBudgetBytes, memoryMode,
                tiling);
    }
}

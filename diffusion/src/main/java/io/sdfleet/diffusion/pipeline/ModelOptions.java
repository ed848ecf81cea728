package io.sdfleet.diffusion.pipeline;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.nn.Attention;

import java.nio.file.Path;

/**
 * How to load a model: where (CPU or a GPU), in what precision, which tokenizer files (null: the model's own
 * {@code tokenizer/} folder), and at most how many query rows an attention chunk holds (0 = no chunking).
 */
public record ModelOptions(Device device, DataType precision, Path tokenizer, int attentionQueryRows) {

    public static ModelOptions cpu(Path tokenizer) {
        return new ModelOptions(Device.cpu(), DataType.FLOAT32, tokenizer, Attention.DEFAULT_MAX_QUERY_ROWS);
    }

    public ModelOptions withDevice(Device newDevice, DataType newPrecision) {
        return new ModelOptions(newDevice, newPrecision, tokenizer, attentionQueryRows);
    }
}

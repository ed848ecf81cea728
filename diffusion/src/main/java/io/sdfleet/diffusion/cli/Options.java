package io.sdfleet.diffusion.cli;

import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.TensorSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Checks and conversions shared by the sub-commands. */
final class Options {

    private Options() {
    }

    static DataType precision(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "fp32", "float32", "full" -> DataType.FLOAT32;
            case "fp16", "float16", "half" -> DataType.FLOAT16;
            default -> throw new UsageException("--precision must be fp32 or fp16, got '" + name + "'");
        };
    }

    static void requireMultipleOf8(String name, int value) {
        if (value < 8 || value % 8 != 0) {
            throw new UsageException("--" + name + " must be a positive multiple of 8, got " + value);
        }
    }

    static TensorSource openCheckpoint(Path path) {
        if (!Files.exists(path)) {
            throw new UsageException("--model: no such file or folder: " + path);
        }
        try {
            return SafetensorsFile.open(path);
        } catch (CheckpointException e) {
            throw new UsageException("--model: " + e.getMessage());
        }
    }
}

package io.sdfleet.contracts;

import java.util.Locale;

/**
 * How a checkpoint is named across the fleet: requests carry the file name ("dreamshaper_8.safetensors"), workers
 * report what they have loaded by A1111's model name (the file name without its extension, "dreamshaper_8").
 */
public final class ModelNames {

    private static final String[] CHECKPOINT_EXTENSIONS = {".safetensors", ".ckpt", ".pt", ".bin"};

    private ModelNames() {
    }

    /** The name without a checkpoint file extension; a diffusers folder's name is already its stem. */
    public static String stem(String name) {
        if (name == null) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        for (String extension : CHECKPOINT_EXTENSIONS) {
            if (lower.endsWith(extension)) {
                return name.substring(0, name.length() - extension.length());
            }
        }
        return name;
    }
}

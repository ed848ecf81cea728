package io.sdfleet.diffusion.pipeline;

import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.SafetensorsFile;
import io.sdfleet.diffusion.checkpoint.StoredTensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Noise given from outside instead of drawn from the seed: a safetensors file with tensor {@code noise}
 * ([B, 4, H/8, W/8], unit normal) and optionally {@code sampler_noises} ([K, B, 4, H/8, W/8]), whose row k is
 * the k-th noise draw of an ancestral or SDE sampler. The reference case files have exactly this form.
 */
public record NoiseFile(StoredTensor initial, Optional<StoredTensor> samplerNoises) {

    public static NoiseFile read(Path path) {
        SafetensorsFile file = SafetensorsFile.open(path);
        if (!file.contains("noise")) {
            throw new CheckpointException(path + " has no tensor 'noise'");
        }
        StoredTensor noise = file.get("noise");
        Optional<StoredTensor> steps = file.contains("sampler_noises") ? Optional.of(file.get("sampler_noises")) : Optional.empty();
        return new NoiseFile(noise, steps);
    }

    /** Checks the initial noise fits a batch of {@code batch} latents of {@code latentH}×{@code latentW}. */
    public void requireShape(int batch, int latentH, int latentW) {
        long[] s = initial.shape();
        long[] expected = {batch, 4, latentH, latentW};
        boolean unbatched = s.length == 3 && batch == 1 && s[0] == 4 && s[1] == latentH && s[2] == latentW;
        if (!Arrays.equals(s, expected) && !unbatched) {
            throw new IllegalArgumentException("noise file tensor 'noise' is " + Arrays.toString(s)
                    + " but this run needs " + Arrays.toString(expected));
        }
    }
}

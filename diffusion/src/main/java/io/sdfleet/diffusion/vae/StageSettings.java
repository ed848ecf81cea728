package io.sdfleet.diffusion.vae;

import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.NormStatistics;
import io.sdfleet.diffusion.nn.PaddingMode;

/**
 * What every stage of one VAE call reads: the run's padding and attention, and the group-norm statistics a tiled
 * call records or replays.
 *
 * @param norms null: each norm normalises by its input's own statistics
 */
record StageSettings(PaddingMode padding, Attention attention, NormStatistics norms) {

    StageSettings withNorms(NormStatistics frozen) {
        return new StageSettings(padding, attention, frozen);
    }
}

package io.sdfleet.diffusion.pipeline;

import io.sdfleet.request.Noise;

/** The seed and variation seed of each image of a batch (image k: seed + k, as A1111), drawn once per run. */
record BatchSeeds(long[] seeds, long[] subseeds) {

    static BatchSeeds of(Noise noise, int batch) {
        long[] seeds = new long[batch];
        long[] subseeds = new long[batch];
        for (int k = 0; k < batch; k++) {
            seeds[k] = noise.seedOf(k);
            subseeds[k] = noise.subseedOf(k);
        }
        return new BatchSeeds(seeds, subseeds);
    }
}

package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.noise.CentredPaste;
import io.sdfleet.diffusion.noise.NoiseStream;
import io.sdfleet.diffusion.noise.Slerp;
import io.sdfleet.request.Noise;

import java.util.function.IntFunction;

/**
 * A1111's ImageRNG (modules/rng.py): every image of a batch has its own seeded generator, so a seed reproduces its
 * image whatever else is in the batch. The initial noise is the seed's first draw, optionally slerped towards the
 * variation seed's and optionally drawn at another size and pasted centred; every later draw feeds an ancestral or
 * SDE step and continues the seed's generator, or, with ENSD, a fresh generator seeded with seed + ENSD.
 */
public final class ImageNoise implements NoiseSource {

    private final Noise options;
    private final long[] seeds;
    private final long[] subseeds;
    private NoiseStream[] stepStreams; // created at the first step: the CPU stream needs the draw shape

    /**
     * @param options  the request's noise (its own seed is not read: {@code seeds} are the batch's)
     * @param subseeds each image's variation seed (read only when the options vary the seed)
     */
    public ImageNoise(Noise options, long[] seeds, long[] subseeds) {
        if (options.varies() && subseeds.length != seeds.length) {
            throw new IllegalArgumentException(seeds.length + " seeds but " + subseeds.length + " variation seeds");
        }
        this.options = options;
        this.seeds = seeds.clone();
        this.subseeds = subseeds.clone();
    }

    /** Per-image noise from the seeds alone: the options' source and ENSD, no variation seed, no resize. */
    public static ImageNoise plain(Noise options, long[] seeds) {
        return new ImageNoise(new Noise(0, 0, 0, 0, 0, options.rngSource(), options.etaNoiseSeedDelta()), seeds,
                new long[0]);
    }

    /** The initial latent noise [B, C, H, W]; does not move the step generators. */
    public NDArray initial(NDManager manager, Shape perImage) {
        return stacked(manager, k -> initialOf(manager, k, perImage));
    }

    @Override
    public NDArray next(NDArray like, float sigma, float sigmaNext) {
        Shape perImage = like.getShape().slice(1);
        if (stepStreams == null) {
            stepStreams = stepStreams(perImage);
        }
        return stacked(like.getManager(), k -> stepStreams[k].next(like.getManager(), perImage));
    }

    /** Image k's initial noise, in {@code manager}. */
    private NDArray initialOf(NDManager manager, int k, Shape perImage) {
        try (NDManager scratch = manager.newSubManager()) {
            Shape drawn = options.resizesSeed()
                    ? new Shape(perImage.get(0), options.seedResizeFromH() / 8, options.seedResizeFromW() / 8)
                    : perImage;
            NDArray noise = NoiseStream.of(options.rngSource(), seeds[k]).next(scratch, drawn);
            if (options.varies()) {
                NDArray variation = NoiseStream.of(options.rngSource(), subseeds[k]).next(scratch, drawn);
                noise = Slerp.mix((float) options.subseedStrength(), noise, variation);
            }
            if (!drawn.equals(perImage)) {
                noise = pastedIntoFresh(scratch, seeds[k], noise, perImage);
            }
            noise.attach(manager);
            return noise;
        }
    }

    /** The seed's own full-size first draw with {@code noise} pasted centred, as A1111 does for "resize seed from". */
    private NDArray pastedIntoFresh(NDManager manager, long seed, NDArray noise, Shape perImage) {
        float[] fresh = NoiseStream.of(options.rngSource(), seed).next(manager, perImage).toFloatArray();
        Shape drawn = noise.getShape();
        float[] pasted = CentredPaste.paste(fresh, (int) perImage.get(0), (int) perImage.get(1), (int) perImage.get(2),
                noise.toFloatArray(), (int) drawn.get(1), (int) drawn.get(2));
        return manager.create(pasted, perImage);
    }

    /** The generators after the initial draw: the seed's, one draw on; or with ENSD, fresh ones at seed + ENSD. */
    private NoiseStream[] stepStreams(Shape perImage) {
        NoiseStream[] streams = new NoiseStream[seeds.length];
        for (int k = 0; k < seeds.length; k++) {
            if (options.etaNoiseSeedDelta() != 0) {
                streams[k] = NoiseStream.of(options.rngSource(), seeds[k] + options.etaNoiseSeedDelta());
            } else {
                streams[k] = NoiseStream.of(options.rngSource(), seeds[k]);
                streams[k].skip(perImage);
            }
        }
        return streams;
    }

    private NDArray stacked(NDManager manager, IntFunction<NDArray> image) {
        try (NDManager scratch = manager.newSubManager()) {
            NDList rows = new NDList(seeds.length);
            for (int k = 0; k < seeds.length; k++) {
                NDArray row = image.apply(k);
                row.attach(scratch);
                rows.add(row);
            }
            NDArray batch = NDArrays.stack(rows);
            batch.attach(manager);
            return batch;
        }
    }
}

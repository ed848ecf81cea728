package io.sdfleet.diffusion.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/** Noise recorded elsewhere: the k-th call returns row k of a [K, B, C, H, W] array (e.g. a reference case). */
public final class ReplayedNoise implements NoiseSource {

    private final float[] rows;
    private final long[] rowShape;
    private int next;

    public ReplayedNoise(float[] rows, long[] shape) {
        this.rows = rows;
        this.rowShape = Arrays.copyOfRange(shape, 1, shape.length);
        this.count = shape[0];
    }

    private final long count;

    @Override
    public NDArray next(NDArray like, float sigma, float sigmaNext) {
        if (next >= count) {
            throw new IllegalStateException("the noise file holds " + count + " sampler draws; the sampler asked for more");
        }
        int size = Math.toIntExact(new Shape(rowShape).size());
        float[] row = Arrays.copyOfRange(rows, next * size, (next + 1) * size);
        next++;
        NDArray noise = like.getManager().create(row, new Shape(rowShape));
        return noise.getDataType() == like.getDataType() ? noise : noise.toType(like.getDataType(), false);
    }
}

package io.sdfleet.diffusion.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;

/**
 * Where CLIP towers pool: each row's first end-of-text, found as the argmax of its ids (end-of-text has the top
 * id; the first of equal ids wins, as torch's argmax does when a chunk is padded with end-of-text).
 */
final class EndOfText {

    private EndOfText() {
    }

    /** hidden [B, T, W] at each row's first end-of-text → [B, W] in hidden's manager. */
    static NDArray rows(NDArray hidden, NDArray tokenIds) {
        long[] ids;
        try (NDArray asLong = tokenIds.toType(DataType.INT64, true)) {
            ids = asLong.toLongArray();
        }
        int rows = Math.toIntExact(tokenIds.getShape().get(0));
        int length = Math.toIntExact(tokenIds.getShape().get(1));
        NDList picked = new NDList();
        for (int b = 0; b < rows; b++) {
            int best = 0;
            for (int t = 1; t < length; t++) {
                if (ids[b * length + t] > ids[b * length + best]) {
                    best = t;
                }
            }
            picked.add(hidden.get(b, best));
        }
        NDArray out = NDArrays.stack(picked);
        picked.close();
        return out;
    }
}

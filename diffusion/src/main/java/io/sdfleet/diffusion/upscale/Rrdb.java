package io.sdfleet.diffusion.upscale;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Scope;

/** Residual-in-residual dense block: three {@link DenseBlock}s in a row, their result scaled by 0.2 and added back. */
final class Rrdb {

    private final DenseBlock rdb1;
    private final DenseBlock rdb2;
    private final DenseBlock rdb3;

    Rrdb(Weights w) {
        rdb1 = new DenseBlock(w.at("RDB1"));
        rdb2 = new DenseBlock(w.at("RDB2"));
        rdb3 = new DenseBlock(w.at("RDB3"));
    }

    NDArray forward(NDArray x) {
        return Scope.run(() -> rdb3.forward(rdb2.forward(rdb1.forward(x))).mul(RrdbNet.RESIDUAL_SCALE).add(x), x);
    }
}

package io.sdfleet.diffusion.upscale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;

/**
 * ESRGAN's residual dense block ({@code ResidualDenseBlock_5C}): five 3×3 convs, each seeing the block input and
 * every earlier conv's output; LeakyReLU 0.2 after the first four; the fifth's output scaled by 0.2 and added back.
 */
final class DenseBlock {

    private final Conv2d[] convs = new Conv2d[5]; // convJ.0 (convJ.1 is the activation)

    DenseBlock(Weights w) {
        for (int j = 0; j < convs.length; j++) {
            convs[j] = Conv2d.load(w.at("conv" + (j + 1) + ".0"), 1, 1);
        }
    }

    NDArray forward(NDArray x) {
        NDList seen = new NDList(x);
        for (int j = 0; j < 4; j++) {
            NDArray in = seen.size() == 1 ? x : NDArrays.concat(seen, 1);
            seen.add(RrdbNet.leakyRelu(convs[j].forward(in, PaddingMode.ZEROS)));
        }
        NDArray x5 = convs[4].forward(NDArrays.concat(seen, 1), PaddingMode.ZEROS);
        return x5.mul(RrdbNet.RESIDUAL_SCALE).add(x);
    }
}

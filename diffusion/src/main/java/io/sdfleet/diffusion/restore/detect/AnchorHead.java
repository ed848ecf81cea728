package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Weights;

/**
 * One of RetinaFace's per-level heads (ClassHead, BboxHead, LandmarkHead): a 1×1 conv giving {@code values} numbers
 * for each of the 2 anchors of every position, laid out as [B, H·W·2, values] (row-major positions, then anchors),
 * as torch's {@code permute(0, 2, 3, 1).view(B, -1, values)}.
 */
final class AnchorHead {

    private final Conv2d conv;
    private final int values;

    AnchorHead(Weights w, int values) {
        conv = Conv2d.load(w.at("conv1x1"), 1, 0);
        this.values = values;
    }

    NDArray forward(NDArray feature) {
        NDArray out = conv.forward(feature, PaddingMode.ZEROS);
        return out.transpose(0, 2, 3, 1).reshape(out.getShape().get(0), -1, values);
    }
}

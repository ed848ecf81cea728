package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

import java.util.List;

/**
 * RetinaFace's feature pyramid: each backbone map is projected to 256 channels (1×1 + norm + ReLU); the coarser
 * level, nearest-upsampled to the finer one's size, is added and the sum smoothed by a 3×3 (merge2 for stride 16,
 * then merge1 for stride 8). The stride-32 level is the projection alone.
 */
final class Fpn {

    private final ConvBn output1;
    private final ConvBn output2;
    private final ConvBn output3;
    private final ConvBn merge1;
    private final ConvBn merge2;

    Fpn(Weights w) {
        output1 = ConvBn.sequential(w.at("output1"), 1, 0, true);
        output2 = ConvBn.sequential(w.at("output2"), 1, 0, true);
        output3 = ConvBn.sequential(w.at("output3"), 1, 0, true);
        merge1 = ConvBn.sequential(w.at("merge1"), 1, 1, true);
        merge2 = ConvBn.sequential(w.at("merge2"), 1, 1, true);
    }

    /** The three 256-channel levels, finest first. */
    List<NDArray> forward(List<NDArray> body) {
        NDArray level3 = Scope.run(() -> output3.forward(body.get(2)), body.get(2));
        NDArray level2 = Scope.run(() -> {
            NDArray lateral = output2.forward(body.get(1));
            return merge2.forward(lateral.add(nearest(level3, lateral.getShape().get(2), lateral.getShape().get(3))));
        }, body.get(1), level3);
        NDArray level1 = Scope.run(() -> {
            NDArray lateral = output1.forward(body.get(0));
            return merge1.forward(lateral.add(nearest(level2, lateral.getShape().get(2), lateral.getShape().get(3))));
        }, body.get(0), level2);
        return List.of(level1, level2, level3);
    }

    /** {@code F.interpolate(x, size=[h, w], mode='nearest')}: source index floor(dst · in/out), as torch computes it. */
    static NDArray nearest(NDArray x, long h, long w) {
        return resizeAxis(resizeAxis(x, 2, h), 3, w);
    }

    private static NDArray resizeAxis(NDArray x, int axis, long out) {
        long in = x.getShape().get(axis);
        if (out == in) {
            return x;
        }
        if (out == 2 * in) {
            return x.repeat(axis, 2);
        }
        float scale = (float) in / out;
        NDArray[] rows = new NDArray[(int) out];
        String index = axis == 2 ? ":, :, {}:{}" : ":, :, :, {}:{}";
        for (int d = 0; d < out; d++) {
            long s = Math.min((long) Math.floor(d * scale), in - 1);
            rows[d] = x.get(index, s, s + 1);
        }
        return NDArrays.concat(new NDList(rows), axis);
    }
}

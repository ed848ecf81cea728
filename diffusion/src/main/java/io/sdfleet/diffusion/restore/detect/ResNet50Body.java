package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import io.sdfleet.diffusion.nn.BatchNorm2d;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;

import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's ResNet-50 as RetinaFace uses it through {@code IntermediateLayerGetter}: the 7×7/2 stem and 3×3/2
 * max pool, then four stages of 3, 4, 6 and 3 bottlenecks (64, 128, 256, 512 wide, ×4 out; stages 2–4 halve the
 * size), returning the outputs of stages 2, 3 and 4 (strides 8, 16, 32; 512, 1024, 2048 channels).
 */
final class ResNet50Body {

    private static final int[] BLOCKS = {3, 4, 6, 3};

    private final Conv2d stem;
    private final BatchNorm2d stemNorm;
    private final List<List<Bottleneck>> stages = new ArrayList<>();

    ResNet50Body(Weights w) {
        stem = Conv2d.load(w.at("conv1"), 2, 3);
        stemNorm = BatchNorm2d.load(w.at("bn1"));
        for (int s = 0; s < BLOCKS.length; s++) {
            List<Bottleneck> stage = new ArrayList<>();
            for (int b = 0; b < BLOCKS[s]; b++) {
                stage.add(new Bottleneck(w.at("layer" + (s + 1) + "." + b), s > 0 && b == 0 ? 2 : 1));
            }
            stages.add(stage);
        }
    }

    /** The stride-8, -16 and -32 feature maps, attached to the input's manager. */
    List<NDArray> forward(NDArray image) {
        List<NDArray> out = new ArrayList<>();
        NDArray x = Scope.run(() -> Pool.maxPool2d(
                Activation.relu(stemNorm.forward(stem.forward(image, PaddingMode.ZEROS))),
                new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false), image);
        for (int s = 0; s < stages.size(); s++) {
            for (Bottleneck block : stages.get(s)) {
                NDArray next = block.forward(x);
                // stage outputs are returned; every other activation is dropped as soon as it is consumed
                if (out.isEmpty() || out.get(out.size() - 1) != x) {
                    x.close();
                }
                x = next;
            }
            if (s > 0) {
                out.add(x);
            }
        }
        return out;
    }
}

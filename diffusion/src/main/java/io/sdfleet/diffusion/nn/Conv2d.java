package io.sdfleet.diffusion.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution, {@code weight [out, in, kh, kw]} and optional {@code bias [out]}, square stride and padding.
 * The padding mode is the caller's, per call (A1111's "tiling" turns every conv of a run circular), so one loaded
 * layer serves runs with either mode.
 */
public final class Conv2d {

    private final Parameter weight;
    private final Parameter bias;
    private final int stride;
    private final int padding;

    public Conv2d(NDArray weight, NDArray bias, int stride, int padding) {
        this(Parameter.fixed(weight), Parameter.fixed(bias), stride, padding);
    }

    public Conv2d(Parameter weight, Parameter bias, int stride, int padding) {
        this.weight = weight;
        this.bias = bias;
        this.stride = stride;
        this.padding = padding;
    }

    /** Reads {@code weight} and, when present, {@code bias} under {@code w}. */
    public static Conv2d load(Weights w, int stride, int padding) {
        Parameter weight = w.parameter("weight");
        Parameter bias = w.has("bias") ? w.parameter("bias") : null;
        return new Conv2d(weight, bias, stride, padding);
    }

    public NDArray forward(NDArray x, PaddingMode paddingMode) {
        if (paddingMode == PaddingMode.CIRCULAR && padding > 0) {
            try (NDArray wrapped = wrap(wrap(x, 3), 2)) {
                return conv(wrapped, 0);
            }
        }
        return conv(x, padding);
    }

    private NDArray conv(NDArray x, int pad) {
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, weight.get(), bias == null ? null : bias.get(),
                new Shape(stride, stride),
                new Shape(pad, pad), new Shape(1, 1), 1).singletonOrThrow();
    }

    /** Circular padding along one spatial axis: the last {@code padding} rows go in front, the first behind. */
    private NDArray wrap(NDArray x, int axis) {
        long size = x.getShape().get(axis);
        String before = axis == 3 ? ":,:,:,{}:" : ":,:,{}:";
        String after = axis == 3 ? ":,:,:,:{}" : ":,:,:{}";
        NDArray tail = x.get(before, size - padding);
        NDArray head = x.get(after, padding);
        NDArray out = NDArrays.concat(new NDList(tail, x, head), axis);
        tail.close();
        head.close();
        return out;
    }

    public long inChannels() {
        return weight.shape().get(1);
    }
}

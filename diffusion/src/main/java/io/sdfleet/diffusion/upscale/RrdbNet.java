package io.sdfleet.diffusion.upscale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.PaddingMode;
import io.sdfleet.diffusion.nn.Scope;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * ESRGAN's RRDBNet as spandrel builds it from old-arch keys (see {@link RrdbKeys}): first conv → N RRDBs and a conv,
 * added to their input → per doubling a nearest ×2 upsample, conv, LeakyReLU → HR conv, LeakyReLU → last conv.
 * Filters, blocks and scale come from the tensors: filters from {@code model.0}, blocks from {@code model.1.sub.*},
 * one doubling per upsampling conv between {@code model.1} and the last two convs. Files whose first conv takes
 * 4× or 16× the output channels (Real-ESRGAN 2x+) see their input pixel-unshuffled by 2 or 4 first.
 * Input and output are [N, 3, H, W] BGR in [0, 1]; the output is not clamped.
 */
public final class RrdbNet {

    static final float RESIDUAL_SCALE = 0.2f;
    private static final float SLOPE = 0.2f;

    private final Conv2d first;
    private final List<Rrdb> body = new ArrayList<>();
    private final Conv2d bodyConv;
    private final List<Conv2d> upsampling = new ArrayList<>();
    private final Conv2d hrConv;
    private final Conv2d last;
    private final int filters;
    private final int shuffle;

    private RrdbNet(Weights w) {
        long[] firstShape = w.shape("model.0.weight");
        filters = (int) firstShape[0];
        int blocks = 0;
        while (w.has("model.1.sub." + blocks + ".RDB1.conv1.0.weight")) {
            blocks++;
        }
        TreeSet<Integer> convs = new TreeSet<>();
        for (String key : w.keys()) {
            String[] parts = key.split("\\.");
            if (parts.length == 3 && parts[0].equals("model") && parts[2].equals("weight")) {
                int index = Integer.parseInt(parts[1]);
                if (index >= 2) {
                    convs.add(index);
                }
            }
        }
        if (blocks == 0 || convs.size() < 2) {
            throw new CheckpointException("an RRDB file needs model.1.sub.0 blocks and at least two output convs");
        }
        first = Conv2d.load(w.at("model.0"), 1, 1);
        for (int b = 0; b < blocks; b++) {
            body.add(new Rrdb(w.at("model.1.sub." + b)));
        }
        bodyConv = Conv2d.load(w.at("model.1.sub." + blocks), 1, 1);
        int lastIndex = convs.pollLast();
        int hrIndex = convs.pollLast();
        for (int index : convs) {
            upsampling.add(Conv2d.load(w.at("model." + index), 1, 1));
        }
        hrConv = Conv2d.load(w.at("model." + hrIndex), 1, 1);
        last = Conv2d.load(w.at("model." + lastIndex), 1, 1);
        long outChannels = w.shape("model." + lastIndex + ".weight")[0];
        long ratio = firstShape[1] / outChannels;
        shuffle = ratio == 16 ? 4 : ratio == 4 ? 2 : 1;
        if (firstShape[1] != outChannels * shuffle * shuffle) {
            throw new CheckpointException("RRDB input channels " + firstShape[1] + " do not fit output channels "
                    + outChannels);
        }
    }

    /** The network in an ESRGAN or Real-ESRGAN file (either key layout), its weights in fp32 in {@code manager}. */
    public static RrdbNet load(TensorSource file, NDManager manager) {
        return load(Weights.of(RrdbKeys.of(file), manager, DataType.FLOAT32));
    }

    /** The network in {@code w} (old-arch names, see {@link RrdbKeys#of}); every key is consumed. */
    public static RrdbNet load(Weights w) {
        RrdbNet net = new RrdbNet(w);
        if (!w.unconsumed().isEmpty()) {
            throw new CheckpointException("RRDB file has keys this network does not use: " + w.unconsumed());
        }
        return net;
    }

    /** Output pixels per input pixel along each side. */
    public int scale() {
        return (1 << upsampling.size()) / shuffle;
    }

    public int filters() {
        return filters;
    }

    public int blocks() {
        return body.size();
    }

    public NDArray forward(NDArray image) {
        return Scope.run(() -> {
            long h = image.getShape().get(2);
            long w = image.getShape().get(3);
            NDArray x = shuffle == 1 ? image : pixelUnshuffle(image);
            NDArray feat = first.forward(x, PaddingMode.ZEROS);
            NDArray trunk = feat;
            for (Rrdb block : body) {
                trunk = block.forward(trunk);
            }
            feat = feat.add(bodyConv.forward(trunk, PaddingMode.ZEROS));
            for (Conv2d conv : upsampling) {
                feat = leakyRelu(conv.forward(feat.repeat(2, 2).repeat(3, 2), PaddingMode.ZEROS));
            }
            NDArray out = last.forward(leakyRelu(hrConv.forward(feat, PaddingMode.ZEROS)), PaddingMode.ZEROS);
            return shuffle == 1 ? out : out.get(":, :, :{}, :{}", h * scale(), w * scale());
        }, image);
    }

    static NDArray leakyRelu(NDArray x) {
        return Activation.leakyRelu(x, SLOPE);
    }

    /**
     * torch's pixel_unshuffle after spandrel's reflect padding to a multiple of the factor: [N, C, H, W] →
     * [N, C·f², H/f, W/f], channel c·f² + i·f + j taking pixel (i, j) of each f×f cell.
     */
    private NDArray pixelUnshuffle(NDArray x) {
        long n = x.getShape().get(0);
        long c = x.getShape().get(1);
        NDArray padded = reflectPad(x, (int) ((shuffle - x.getShape().get(2) % shuffle) % shuffle), 2);
        padded = reflectPad(padded, (int) ((shuffle - x.getShape().get(3) % shuffle) % shuffle), 3);
        long h = padded.getShape().get(2) / shuffle;
        long w = padded.getShape().get(3) / shuffle;
        return padded.reshape(new Shape(n, c, h, shuffle, w, shuffle)).transpose(0, 1, 3, 5, 2, 4)
                .reshape(new Shape(n, c * shuffle * shuffle, h, w));
    }

    /** Pads {@code count} rows/columns at the end of {@code axis} by reflection (excluding the edge itself). */
    private static NDArray reflectPad(NDArray x, int count, int axis) {
        if (count == 0) {
            return x;
        }
        long size = x.getShape().get(axis);
        NDArray[] parts = new NDArray[count + 1];
        parts[0] = x;
        for (int k = 1; k <= count; k++) {
            String index = axis == 2 ? ":, :, {}:{}" : ":, :, :, {}:{}";
            parts[k] = x.get(index, size - 1 - k, size - k);
        }
        return NDArrays.concat(new NDList(parts), axis);
    }
}

package io.sdfleet.diffusion.restore.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Weights;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * facexlib's RetinaFace ResNet-50 ({@code detection_Resnet50_Final.pth}) in phase 'test': the ResNet-50 body's
 * stride-8/16/32 maps → FPN → one SSH per level → per level a class, box and landmark head over 2 anchors per
 * position, concatenated level by level (the anchor order of {@link PriorBox}). Every batch norm is frozen.
 *
 * <p>The input is [1, 3, H, W] BGR pixels (0..255 as floats) minus the mean (104, 117, 123), see
 * {@link #input}.
 */
public final class RetinaFace {

    /** Per-channel (B, G, R) mean facexlib subtracts. */
    public static final float[] MEAN_BGR = {104f, 117f, 123f};

    /** The raw outputs for N anchors: box offsets [1, N, 4], class logits and their softmax [1, N, 2], landmarks [1, N, 10]. */
    public record Output(NDArray loc, NDArray logits, NDArray conf, NDArray landmarks) implements AutoCloseable {
        @Override
        public void close() {
            loc.close();
            logits.close();
            conf.close();
            landmarks.close();
        }
    }

    private final ResNet50Body body;
    private final Fpn fpn;
    private final List<Ssh> ssh = new ArrayList<>();
    private final List<AnchorHead> classHeads = new ArrayList<>();
    private final List<AnchorHead> boxHeads = new ArrayList<>();
    private final List<AnchorHead> landmarkHeads = new ArrayList<>();

    private RetinaFace(Weights w) {
        body = new ResNet50Body(w.at("body"));
        fpn = new Fpn(w.at("fpn"));
        for (int level = 0; level < 3; level++) {
            ssh.add(new Ssh(w.at("ssh" + (level + 1))));
            classHeads.add(new AnchorHead(w.at("ClassHead." + level), 2));
            boxHeads.add(new AnchorHead(w.at("BboxHead." + level), 4));
            landmarkHeads.add(new AnchorHead(w.at("LandmarkHead." + level), 10));
        }
    }

    /** The detector in a state dict (keys as facexlib names them, optionally under {@code module.}), fp32 in {@code manager}. */
    public static RetinaFace load(TensorSource file, NDManager manager) {
        Weights w = Weights.of(RetinaFaceKeys.of(file), manager, DataType.FLOAT32);
        RetinaFace net = new RetinaFace(w);
        if (!w.unconsumed().isEmpty()) {
            throw new CheckpointException("RetinaFace file has keys this network does not use: " + w.unconsumed());
        }
        return net;
    }

    /** Reads {@code detection_Resnet50_Final.pth} (a torch.save file, read without running its pickle) or a .safetensors copy. */
    public static RetinaFace open(Path file, NDManager manager) {
        try (TensorSource source = CheckpointFiles.open(file)) {
            return load(source, manager);
        }
    }

    /**
     * facexlib's network input from 8-bit BGR planes ({@code channels[c][y][x]}, c = B, G, R): the pixels as floats
     * minus {@link #MEAN_BGR}, [1, 3, H, W] in {@code manager}.
     */
    public static NDArray input(int[][][] bgr, NDManager manager) {
        int h = bgr[0].length;
        int w = bgr[0][0].length;
        float[] values = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    values[(c * h + y) * w + x] = bgr[c][y][x] - MEAN_BGR[c];
                }
            }
        }
        return manager.create(values, new Shape(1, 3, h, w));
    }

    /** The raw outputs, attached to the input's manager. */
    public Output forward(NDArray input) {
        NDManager target = input.getManager();
        try (NDManager sub = target.newSubManager()) {
            input.tempAttach(sub);
            List<NDArray> pyramid = fpn.forward(body.forward(input));
            List<NDArray> features = new ArrayList<>();
            for (int level = 0; level < 3; level++) {
                features.add(ssh.get(level).forward(pyramid.get(level)));
            }
            NDArray loc = heads(boxHeads, features);
            NDArray logits = heads(classHeads, features);
            NDArray landmarks = heads(landmarkHeads, features);
            NDArray conf = logits.softmax(-1);
            Output out = new Output(loc, logits, conf, landmarks);
            for (NDArray a : List.of(loc, logits, conf, landmarks)) {
                a.attach(target);
            }
            return out;
        }
    }

    private static NDArray heads(List<AnchorHead> heads, List<NDArray> features) {
        NDList parts = new NDList();
        for (int level = 0; level < heads.size(); level++) {
            parts.add(heads.get(level).forward(features.get(level)));
        }
        return NDArrays.concat(parts, 1);
    }
}

package io.sdfleet.diffusion.restore.parse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.sdfleet.diffusion.checkpoint.CheckpointException;
import io.sdfleet.diffusion.checkpoint.CheckpointFiles;
import io.sdfleet.diffusion.checkpoint.TensorSource;
import io.sdfleet.diffusion.nn.Scope;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.restore.parse.ParseConvLayer.Scale;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * facexlib's face parsing network ({@code ParseNet(in_size=512, out_size=512, parsing_ch=19)}, from PSFRGAN), as
 * {@code parsing_parsenet.pth} holds it: a conv, residual blocks that halve the size down to 32×32, ten residual
 * blocks there (added to their input), residual blocks that double it back, then the 19-class parsing head. The
 * image head ({@code out_img_conv}) is loaded but not run: facexlib only reads the parsing logits.
 * Input [N, 3, 512, 512] RGB in [−1, 1]; output [N, 19, 512, 512] logits.
 */
public final class ParseNet {

    private final ParseConvLayer stem;
    private final List<ParseResidualBlock> encoder = new ArrayList<>();
    private final List<ParseResidualBlock> body = new ArrayList<>();
    private final List<ParseResidualBlock> decoder = new ArrayList<>();
    private final ParseConvLayer maskHead;

    private ParseNet(Weights w) {
        stem = new ParseConvLayer(w.at("encoder.0"), Scale.NONE, false, false);
        for (int i = 1; w.has("encoder." + i + ".conv1.conv2d.weight"); i++) {
            encoder.add(new ParseResidualBlock(w.at("encoder." + i), Scale.DOWN));
        }
        for (int i = 0; w.has("body." + i + ".conv1.conv2d.weight"); i++) {
            body.add(new ParseResidualBlock(w.at("body." + i), Scale.NONE));
        }
        for (int i = 0; w.has("decoder." + i + ".conv1.conv2d.weight"); i++) {
            decoder.add(new ParseResidualBlock(w.at("decoder." + i), Scale.UP));
        }
        maskHead = new ParseConvLayer(w.at("out_mask_conv"), Scale.NONE, false, false);
        w.skip("out_img_conv.conv2d.weight");
        w.skip("out_img_conv.conv2d.bias");
        if (encoder.isEmpty() || decoder.isEmpty()) {
            throw new CheckpointException("a ParseNet file needs encoder.1 and decoder.0 blocks");
        }
    }

    /** The network in a {@code parsing_parsenet.pth} state dict (no wrapper), weights in fp32 in {@code manager}. */
    public static ParseNet load(TensorSource source, NDManager manager) {
        Weights w = Weights.of(source, manager, DataType.FLOAT32);
        ParseNet net = new ParseNet(w);
        if (!w.unconsumed().isEmpty()) {
            throw new CheckpointException("ParseNet file has keys this network does not use: " + w.unconsumed());
        }
        return net;
    }

    /** Reads {@code parsing_parsenet.pth} (torch zip, through the restricted unpickler) or a .safetensors copy. */
    public static ParseNet open(Path file, NDManager manager) {
        try (TensorSource source = CheckpointFiles.open(file)) {
            return load(source, manager);
        }
    }

    public int encoderBlocks() {
        return encoder.size();
    }

    public int bodyBlocks() {
        return body.size();
    }

    public int decoderBlocks() {
        return decoder.size();
    }

    /** The parsing logits {@code out_mask} for a normalised RGB batch. */
    public NDArray forward(NDArray image) {
        return Scope.run(() -> {
            NDArray feat = stem.forward(image);
            for (ParseResidualBlock block : encoder) {
                feat = block.forward(feat);
            }
            NDArray x = feat;
            for (ParseResidualBlock block : body) {
                x = block.forward(x);
            }
            x = feat.add(x);
            for (ParseResidualBlock block : decoder) {
                x = block.forward(x);
            }
            return maskHead.forward(x);
        }, image);
    }
}

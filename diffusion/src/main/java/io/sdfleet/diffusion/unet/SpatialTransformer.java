package io.sdfleet.diffusion.unet;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Conv2d;
import io.sdfleet.diffusion.nn.Geglu;
import io.sdfleet.diffusion.nn.GroupNorm;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.PaddingMode;

import java.util.ArrayList;
import java.util.List;

/**
 * LDM {@code SpatialTransformer}: norm, project in, treat pixels as tokens through transformer blocks, project
 * out, add the input. SD 1.x projects with 1×1 convs, SD 2.x with linears (told apart by the weight's rank).
 */
final class SpatialTransformer implements UNetBlock {

    private final GroupNorm norm;
    private final Conv2d projInConv;
    private final Linear projInLinear;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final Conv2d projOutConv;
    private final Linear projOutLinear;
    private final long inner;

    SpatialTransformer(Weights w, HeadLayout heads) {
        norm = GroupNorm.load(w.at("norm"), GroupNorm.SD_GROUPS, GroupNorm.LDM_NORMALIZE_EPS);
        boolean linear = w.shape("proj_in.weight").length == 2;
        projInConv = linear ? null : Conv2d.load(w.at("proj_in"), 1, 0);
        projInLinear = linear ? Linear.load(w.at("proj_in")) : null;
        projOutConv = linear ? null : Conv2d.load(w.at("proj_out"), 1, 0);
        projOutLinear = linear ? Linear.load(w.at("proj_out")) : null;
        inner = w.shape("proj_in.weight")[0];
        for (int i = 0; w.has("transformer_blocks." + i + ".norm1.weight"); i++) {
            blocks.add(new TransformerBlock(w.at("transformer_blocks." + i), heads));
        }
    }

    @Override
    public NDArray forward(NDArray x, NDArray emb, NDArray context, UNetSettings settings) {
        PaddingMode padding = settings.padding();
        long b = x.getShape().get(0);
        long c = x.getShape().get(1);
        long height = x.getShape().get(2);
        long width = x.getShape().get(3);
        NDArray h = norm.forward(x);
        NDArray tokens;
        if (projInConv != null) {
            tokens = toTokens(projInConv.forward(h, padding), b, inner);
        } else {
            tokens = projInLinear.forward(toTokens(h, b, c));
        }
        for (TransformerBlock block : blocks) {
            tokens = block.forward(tokens, context, settings);
        }
        NDArray out = projOutConv != null
                ? projOutConv.forward(toImage(tokens, b, height, width), padding)
                : toImage(projOutLinear.forward(tokens), b, height, width);
        return out.add(x);
    }

    /** [B, C, H, W] → [B, H·W, C] */
    private static NDArray toTokens(NDArray image, long b, long c) {
        return image.transpose(0, 2, 3, 1).reshape(b, -1, c);
    }

    /** [B, H·W, C] → [B, C, H, W] */
    private static NDArray toImage(NDArray tokens, long b, long height, long width) {
        return tokens.reshape(b, height, width, -1).transpose(0, 3, 1, 2);
    }

    /** LDM {@code BasicTransformerBlock}: self-attention, cross-attention, GEGLU feed-forward, each pre-norm. */
    private static final class TransformerBlock {

        private final LayerNorm norm1;
        private final CrossAttention attn1;
        private final LayerNorm norm2;
        private final CrossAttention attn2;
        private final LayerNorm norm3;
        private final Geglu ffIn;    // ff.net.0
        private final Linear ffOut;  // ff.net.2

        TransformerBlock(Weights w, HeadLayout heads) {
            norm1 = LayerNorm.load(w.at("norm1"), LayerNorm.DEFAULT_EPS);
            attn1 = new CrossAttention(w.at("attn1"), heads);
            norm2 = LayerNorm.load(w.at("norm2"), LayerNorm.DEFAULT_EPS);
            attn2 = new CrossAttention(w.at("attn2"), heads);
            norm3 = LayerNorm.load(w.at("norm3"), LayerNorm.DEFAULT_EPS);
            ffIn = Geglu.load(w.at("ff.net.0"));
            ffOut = Linear.load(w.at("ff.net.2"));
        }

        NDArray forward(NDArray x, NDArray context, UNetSettings settings) {
            x = x.add(attn1.forward(norm1.forward(x), null, settings));
            x = x.add(attn2.forward(norm2.forward(x), context, settings));
            return x.add(ffOut.forward(ffIn.forward(norm3.forward(x))));
        }
    }
}

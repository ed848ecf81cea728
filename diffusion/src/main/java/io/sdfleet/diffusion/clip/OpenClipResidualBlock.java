package io.sdfleet.diffusion.clip;

import ai.djl.ndarray.NDArray;
import io.sdfleet.diffusion.nn.Weights;
import io.sdfleet.diffusion.nn.Activations;
import io.sdfleet.diffusion.nn.Attention;
import io.sdfleet.diffusion.nn.LayerNorm;
import io.sdfleet.diffusion.nn.Linear;
import io.sdfleet.diffusion.nn.Scope;

/**
 * One pre-norm block of open_clip's text transformer ({@code ResidualAttentionBlock}):
 * h = h + out(attn(ln_1(h))) ; h = h + c_proj(gelu(c_fc(ln_2(h)))).
 *
 * <p>The attention is torch's {@code nn.MultiheadAttention}, whose q, k and v projections are stored stacked in
 * one {@code in_proj_weight [3W, W]}; they are split once here so a call runs three plain projections.
 */
final class OpenClipResidualBlock {

    private final LayerNorm norm1;
    private final Linear q;
    private final Linear k;
    private final Linear v;
    private final Linear out;
    private final LayerNorm norm2;
    private final Linear fc;
    private final Linear proj;
    private final int heads;
    private final Attention attention;

    private OpenClipResidualBlock(Weights w, int heads, Attention attention) {
        this.norm1 = LayerNorm.load(w.at("ln_1"), LayerNorm.DEFAULT_EPS);
        try (NDArray inWeight = w.take("attn.in_proj_weight"); NDArray inBias = w.take("attn.in_proj_bias")) {
            long width = inWeight.getShape().get(1);
            this.q = stackedPart(inWeight, inBias, 0, width);
            this.k = stackedPart(inWeight, inBias, 1, width);
            this.v = stackedPart(inWeight, inBias, 2, width);
        }
        this.out = Linear.load(w.at("attn.out_proj"));
        this.norm2 = LayerNorm.load(w.at("ln_2"), LayerNorm.DEFAULT_EPS);
        this.fc = Linear.load(w.at("mlp.c_fc"));
        this.proj = Linear.load(w.at("mlp.c_proj"));
        this.heads = heads;
        this.attention = attention;
    }

    static OpenClipResidualBlock load(Weights w, int heads, Attention attention) {
        return new OpenClipResidualBlock(w, heads, attention);
    }

    /** Rows [part·W, (part + 1)·W) of the stacked projection: part 0 = q, 1 = k, 2 = v. */
    private static Linear stackedPart(NDArray weight, NDArray bias, int part, long width) {
        long from = part * width;
        long to = from + width;
        return new Linear(weight.get("{}:{}", from, to), bias.get("{}:{}", from, to));
    }

    /** h [B, T, W], causalMask [T, T] additive → [B, T, W] in h's manager. */
    NDArray forward(NDArray h, NDArray causalMask) {
        return Scope.run(() -> {
            NDArray x = norm1.forward(h);
            NDArray attended = attention.multiHead(q.forward(x), k.forward(x), v.forward(x), heads, causalMask);
            NDArray h1 = h.add(out.forward(attended));
            NDArray mlp = proj.forward(Activations.gelu(fc.forward(norm2.forward(h1))));
            return h1.add(mlp);
        }, h, causalMask);
    }
}
